package dev.berth.bench;

import dev.berth.config.FairShare;
import dev.berth.fairshare.FairShareLine;
import dev.berth.fairshare.UsageLedger;
import dev.berth.job.Claim;
import dev.berth.store.JobStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * The order admission takes a deep queue in: 10⁵ jobs from 1,000 users, in three lines (no pool,
 * {@code gpu}, {@code spot}), each user with their own use so far and priorities among their jobs, one in
 * ten of them WAITING for the job before it, written by SQL into a database berth's store made. Timed: what each admission round reads and
 * orders, {@link FairShareLine#order} over the store's index (256 jobs per pool), as the daemon calls it.
 */
final class AdmissionScenario
        implements Scenario
{
    private static final int USERS = 1_000;
    private static final int WINDOW = 256;
    /** Every this many jobs, one waits for the job before it ({@code after}), as a pipeline's step does. */
    private static final int WAITING_EVERY = 10;

    @Override
    public String name()
    {
        return "admission";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int jobs = bench.size(100_000, 10_000);
        Path database = Files.createDirectories(bench.work().resolve(name())).resolve("berth.db");
        JobStore.open(database).close();
        Instant now = Instant.now();
        fill(database, jobs, now);
        try (JobStore store = JobStore.open(database)) {
            Random random = new Random(17);
            for (int user = 0; user < USERS; user++) {
                store.writes().recordUsage("user-" + user, new UsageLedger.Used(random.nextDouble() * 100, now.minusSeconds(random.nextInt(86_400))));
            }
            UsageLedger usage = UsageLedger.of(FairShare.equalShares(), store.admission().storedUsage());
            FairShareLine line = new FairShareLine(usage);
            List<Claim> live = store.reads().liveClaims();
            int size = 0;
            for (int i = 0; i < 20; i++) {
                size = line.order(store.admission(), live, now, WINDOW).size();
            }
            Samples rounds = new Samples();
            for (int i = 0; i < bench.size(300, 50); i++) {
                long start = System.nanoTime();
                line.order(store.admission(), live, now, WINDOW);
                rounds.add((System.nanoTime() - start) / 1e6);
            }
            String what = String.format("fair share's order of %,d jobs from %,d users (a tenth waiting for another), %d per pool", jobs, USERS, WINDOW);
            return List.of(Row.of(name(), what, "ms", rounds).target("≤ 20 ms", rounds.p99() <= 20)
                    .note(size + " jobs in the order; the placement that follows (Admission.plan) is not in it"));
        }
    }

    /** Jobs of users taken in turn, a third in each line, priorities 0 to 3, every tenth waiting for the one before. */
    private static void fill(Path database, int jobs, Instant now)
            throws Exception
    {
        String[] pools = {null, "gpu", "spot"};
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database)) {
            connection.setAutoCommit(false);
            try (PreparedStatement job = connection.prepareStatement("""
                    INSERT INTO jobs (id, name, state, request, repo, branch, entrypoint, image, cpus, memory, gpus, max_attempts, pool,
                                      received_at, attempts, user, stop_grace_ms, priority)
                    VALUES (?, 'sweep', ?, ?, 'https://github.com/lab/train', 'main', 'train.sh', 'python:3.12', 1, 1073741824, ?, 3, ?,
                            ?, 0, ?, 90000, ?)""");
                    PreparedStatement dependency = connection.prepareStatement("INSERT INTO job_dependencies (job_id, depends_on, kind) VALUES (?, ?, 'after')")) {
                for (int i = 0; i < jobs; i++) {
                    String id = "admission-" + i;
                    String pool = pools[i % pools.length];
                    boolean waiting = i % WAITING_EVERY == WAITING_EVERY - 1;
                    job.setString(1, id);
                    job.setString(2, waiting ? "WAITING" : "QUEUED");
                    job.setString(3, "{\"job_id\": \"" + id + "\", \"repo_uri\": \"https://github.com/lab/train\", \"branch\": \"main\", \"entrypoint\": \"train.sh\"}");
                    job.setInt(4, "gpu".equals(pool) ? 1 : 0);
                    job.setString(5, pool);
                    job.setLong(6, now.toEpochMilli() - jobs + i);
                    job.setString(7, "user-" + (i / 7) % USERS);
                    job.setInt(8, i % 4);
                    job.addBatch();
                    if (waiting) {
                        dependency.setString(1, id);
                        dependency.setString(2, "admission-" + (i - 1));
                        dependency.addBatch();
                    }
                    if (i % 10_000 == 9_999) {
                        job.executeBatch();
                        dependency.executeBatch();
                    }
                }
                job.executeBatch();
                dependency.executeBatch();
            }
            connection.commit();
        }
    }
}
