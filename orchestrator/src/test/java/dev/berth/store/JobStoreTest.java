package dev.berth.store;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.EnumSet;

import static dev.berth.store.StoreRequests.queued;
import static org.assertj.core.api.Assertions.assertThat;

/** Opening the store, again and beside a writer, against a real SQLite file. */
class JobStoreTest
{
    @TempDir
    Path temp;

    private JobStore store;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void stateSurvivesReopening()
            throws Exception
    {
        queued(store.writes(), "exp-1");
        String instance = store.instanceId();
        store.close();

        store = JobStore.open(temp.resolve("berth.db"));

        assertThat(store.reads().job("exp-1")).isPresent();
        assertThat(store.instanceId()).isEqualTo(instance);
    }

    @Test
    void readersNeitherWaitForNorBlockTheWriter()
            throws Exception
    {
        queued(store.writes(), "exp-1");
        try (Connection daemon = DriverManager.getConnection("jdbc:sqlite:" + temp.resolve("berth.db"));
                Statement writing = daemon.createStatement()) {
            writing.execute("BEGIN IMMEDIATE");
            writing.execute("UPDATE jobs SET reason = 'half-done' WHERE id = 'exp-1'");

            // What a CLI command does while the daemon is mid-transaction: open, list, look one up.
            try (JobStore cli = JobStore.open(temp.resolve("berth.db"))) {
                assertThat(cli.reads().newest(EnumSet.noneOf(JobState.class), 10)).extracting(Job::id).containsExactly("exp-1");
                assertThat(cli.reads().job("exp-1").orElseThrow().reason()).isEmpty();
            }
            writing.execute("COMMIT");
        }
        assertThat(store.reads().job("exp-1").orElseThrow().reason()).contains("half-done");
    }
}
