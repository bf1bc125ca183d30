package dev.berth.daemon;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobStore;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionTest
{
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);
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
    void removesJobsThatEndedLongerAgoThanTheRetentionAndNoLiveOne()
            throws Exception
    {
        // More than one batch of the purge
        for (int i = 0; i < 1_001; i++) {
            ended("old-" + i, NOW.minus(Duration.ofDays(91)));
        }
        ended("kept", NOW.minus(Duration.ofDays(89)));
        insert("waiting", NOW.minus(Duration.ofDays(365)));

        new Retention(store, Duration.ofDays(90), clock).run();

        assertThat(store.reads().newest(Set.of(), 10_000)).extracting(Job::id).containsExactlyInAnyOrder("kept", "waiting");
    }

    private void ended(String id, Instant at)
            throws Exception
    {
        insert(id, at);
        assertThat(store.writes().requestCancel(id, at)).isEqualTo(JobState.CANCELLED);
    }

    private void insert(String id, Instant at)
            throws Exception
    {
        RequestParser parser = new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3));
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\"}";
        store.writes().insert(parser.parse(body, id), body, Optional.empty(), at);
    }
}
