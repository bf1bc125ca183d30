package dev.berth.store;

import dev.berth.job.JobRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.berth.store.StoreRequests.NOW;
import static dev.berth.store.StoreRequests.body;
import static dev.berth.store.StoreRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

/** Stores made by an earlier version, upgraded on open. */
class SchemaTest
{
    @TempDir
    Path temp;

    @Test
    void aStoreMadeBeforeRetryExitCodesGainsTheColumnAndKeepsItsJobs()
            throws Exception
    {
        Path old = temp.resolve("old.db");
        writeStoreBeforeRetryExitCodes(old);

        try (JobStore store = JobStore.open(old)) {
            assertThat(store.instanceId()).isEqualTo("old12345");
            JobRequest spec = store.reads().job("old-1").orElseThrow().spec();
            assertThat(spec.entrypoint()).isEqualTo("run.sh");
            assertThat(spec.maxAttempts()).isEqualTo(3);
            assertThat(spec.retryExitCodes()).isEmpty();
            String body = body("new-1").replace("}", ", \"retry_exit_codes\": [75]}");
            store.writes().insert(request(body, "new-1"), body, Optional.empty(), NOW);
            assertThat(store.reads().job("new-1").orElseThrow().spec().retryExitCodes()).containsExactly(75);
        }
    }

    @Test
    void anUpgradedStoreEndsWithTheColumnsOfANewOne()
            throws Exception
    {
        Path old = temp.resolve("old.db");
        writeStoreBeforeRetryExitCodes(old);
        Path fresh = temp.resolve("new.db");

        JobStore.open(old).close();
        JobStore.open(fresh).close();

        for (String table : List.of("meta", "jobs", "attempts")) {
            assertThat(columns(old, table)).as(table).isNotEmpty().isEqualTo(columns(fresh, table));
        }
    }

    /** The schema and an insert exactly as the previous version wrote them. */
    private static void writeStoreBeforeRetryExitCodes(Path file)
            throws SQLException
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            statement.execute("""
                    CREATE TABLE jobs (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL,
                        state TEXT NOT NULL,
                        cause TEXT,
                        reason TEXT,
                        request TEXT NOT NULL,
                        message_id TEXT,
                        repo TEXT, branch TEXT, entrypoint TEXT, params TEXT, image TEXT,
                        cpus REAL, memory INTEGER, gpus INTEGER, env TEXT, timeout_ms INTEGER, max_attempts INTEGER, pool TEXT,
                        image_ref TEXT, commit_sha TEXT, run_dir TEXT,
                        received_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                        exit_code INTEGER,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        cancel_requested INTEGER NOT NULL DEFAULT 0)""");
            statement.execute("CREATE INDEX jobs_by_state ON jobs(state, seq)");
            statement.execute("CREATE INDEX jobs_by_state_pool ON jobs(state, pool, seq)");
            statement.execute("""
                    CREATE TABLE attempts (
                        job_id TEXT NOT NULL REFERENCES jobs(id),
                        number INTEGER NOT NULL,
                        service_name TEXT NOT NULL UNIQUE,
                        state TEXT NOT NULL,
                        node TEXT, cause TEXT, reason TEXT, exit_code INTEGER,
                        created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                        PRIMARY KEY (job_id, number))""");
            statement.execute("INSERT INTO meta (key, value) VALUES ('instance', 'old12345')");
            statement.execute("""
                    INSERT INTO jobs (id, name, state, request, repo, branch, entrypoint, image, cpus, memory, gpus,
                                      env, max_attempts, received_at)
                    VALUES ('old-1', 'run', 'QUEUED', '{}', 'https://github.com/org/repo', 'main', 'run.sh', 'img', 1, 1073741824, 0,
                            '{}', 3, 1767323045000)""");
        }
    }

    /** Each column of {@code table} as name, type, NOT NULL and default, in table order. */
    private static List<String> columns(Path file, String table)
            throws SQLException
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA table_info(" + table + ")")) {
            List<String> columns = new ArrayList<>();
            while (rows.next()) {
                columns.add(rows.getString("name") + " " + rows.getString("type") + " " + rows.getInt("notnull") + " " + rows.getString("dflt_value")
                        + " " + rows.getInt("pk"));
            }
            return columns;
        }
    }
}
