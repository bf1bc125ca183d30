package dev.berth.bench;

import dev.berth.store.JobStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The state database after a long life: 10⁶ finished jobs (a year of a busy group), each with one
 * attempt. The rows are written in one transaction through SQL that fills the columns as berth's own
 * writes do (through the store's API the fill alone would take hours), into a database that
 * berth's store created and migrated. Then what a user waits for: its size on disk, {@code berth list}
 * as a new process, a {@code berth purge --dry-run} and a purge of the oldest tenth.
 */
final class StoreScenario
        implements Scenario
{
    private static final Duration YEAR = Duration.ofDays(365);

    @Override
    public String name()
    {
        return "store";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int jobs = bench.size(1_000_000, 20_000);
        Path state = Files.createDirectories(bench.work().resolve(name()).resolve("state"));
        Path database = state.resolve("berth.db");
        JobStore.open(database).close();
        Instant now = Instant.now();
        fill(database, jobs, now);
        String size = String.format("%,d finished jobs", jobs);
        List<Row> rows = new ArrayList<>();
        rows.add(Row.single(name(), "state database on disk, " + size, "MB", Files.size(database) / 1e6));

        List<String> berth = List.of(bench.projectRoot().resolve("berth").toString());
        String stateDir = "--state-dir=" + state;
        Processes.timed(concat(berth, "list", stateDir), bench.projectRoot());
        Samples list = new Samples();
        Samples dryRun = new Samples();
        for (int i = 0; i < bench.size(10, 3); i++) {
            list.add(Processes.timed(concat(berth, "list", stateDir), bench.projectRoot()));
            dryRun.add(Processes.timed(concat(berth, "purge", stateDir, "--finished-before", "330d", "--dry-run"), bench.projectRoot()));
        }
        rows.add(Row.of(name(), "`berth list`, a new process, " + size, "ms", list).target("≤ 300 ms", list.p99() <= 300));
        rows.add(Row.of(name(), "`berth purge --dry-run`, a new process, " + size, "ms", dryRun));
        // The jobs of the oldest 36 days: about a tenth
        double purge = Processes.timed(concat(berth, "purge", stateDir, "--finished-before", "329d"), bench.projectRoot());
        rows.add(Row.single(name(), "`berth purge` of the oldest tenth, " + size, "s", purge / 1000)
                .note(String.format("%.0f jobs/s", jobs / 10.0 / (purge / 1000))));
        return rows;
    }

    private static List<String> concat(List<String> command, String... args)
    {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }

    /** Jobs received evenly over the past year, each run for a minute on one node, most succeeded. */
    private static void fill(Path database, int jobs, Instant now)
            throws Exception
    {
        long first = now.minus(YEAR).toEpochMilli();
        long step = YEAR.toMillis() / jobs;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database)) {
            connection.setAutoCommit(false);
            try (PreparedStatement job = connection.prepareStatement("""
                    INSERT INTO jobs (id, name, state, cause, reason, request, repo, branch, entrypoint, image, cpus, memory, gpus, max_attempts,
                                      received_at, started_at, finished_at, exit_code, attempts, user, stop_grace_ms, run_dir)
                    VALUES (?, 'train', ?, ?, ?, ?, ?, 'main', 'train.sh', 'python:3.12', 1, 1073741824, 0, 3, ?, ?, ?, ?, 1, ?, 90000, ?)""");
                    PreparedStatement attempt = connection.prepareStatement("""
                            INSERT INTO attempts (job_id, number, service_name, state, node, reason, exit_code, created_at, started_at, finished_at)
                            VALUES (?, 1, ?, ?, 'worker-1', ?, ?, ?, ?, ?)""")) {
                for (int i = 0; i < jobs; i++) {
                    String id = "store-" + i;
                    boolean failed = i % 10 == 0;
                    long received = first + i * step;
                    String repo = "https://github.com/lab/project-" + i % 50;
                    job.setString(1, id);
                    job.setString(2, failed ? "FAILED" : "SUCCEEDED");
                    job.setString(3, failed ? "exit" : null);
                    job.setString(4, failed ? "exited with code 1" : null);
                    job.setString(5, "{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repo + "\", \"branch\": \"main\", \"entrypoint\": \"train.sh\"}");
                    job.setString(6, repo);
                    job.setLong(7, received);
                    job.setLong(8, received + 5_000);
                    job.setLong(9, received + 65_000);
                    job.setInt(10, failed ? 1 : 0);
                    job.setString(11, "user-" + i % 10);
                    job.setString(12, "/shared/runs/" + id);
                    job.addBatch();
                    attempt.setString(1, id);
                    attempt.setString(2, "berth-" + id + "-1");
                    attempt.setString(3, failed ? "FAILED" : "SUCCEEDED");
                    attempt.setString(4, failed ? "exited with code 1" : "exited with code 0");
                    attempt.setInt(5, failed ? 1 : 0);
                    attempt.setLong(6, received);
                    attempt.setLong(7, received + 5_000);
                    attempt.setLong(8, received + 65_000);
                    attempt.addBatch();
                    if (i % 10_000 == 9_999) {
                        job.executeBatch();
                        attempt.executeBatch();
                    }
                }
                job.executeBatch();
                attempt.executeBatch();
            }
            connection.commit();
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        }
    }
}
