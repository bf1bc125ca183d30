package dev.berth.bench;

import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * Many no-op jobs sent at once, timed until all have completed. The baseline creates the same number
 * of services through the Engine API with berth's pending cap: never more than that many services
 * waiting to start, a completed one removed as soon as it is seen.
 * <p>
 * The two take turns, round by round, and the ratio is each round's. Both first run an untimed batch
 * of the same jobs (this build's with the dashboard open): berth is measured as it runs on a fleet, for
 * weeks, and in its first minute half of its CPU goes to the JIT compiling the code it then runs, which on
 * this test bed (workers sharing the manager's two cores) would be charged to berth as lost starts.
 * The baseline's warm-up batch leaves the swarm in the same state for both.
 */
final class ThroughputScenario
        implements Scenario
{
    /** berth's default BERTH_PENDING_CAP, which the daemon runs with here. */
    static final int PENDING_CAP = 8;
    private static final Set<String> STARTED = Set.of("running", "complete", "failed", "shutdown", "rejected", "orphaned", "remove");
    private static final Duration POLL = Duration.ofMillis(100);

    @Override
    public String name()
    {
        return "throughput";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int jobs = bench.size(500, 60);
        int warmUp = bench.size(200, 10);
        int rounds = bench.size(3, 1);
        Path dir = bench.work().resolve(name());
        Path rawDir = RawSwarm.jobRoot(dir.resolve("raw"));
        Samples berthRates = new Samples();
        Samples rawRates = new Samples();
        Samples ratios = new Samples();
        Samples cpu = new Samples();
        Samples viewedCpu = new Samples();
        Samples viewedRatios = new Samples();
        try (Daemon berth = Daemon.start(bench, dir.resolve("berth"), warmUp, Optional.empty())) {
            raw(bench, rawDir, "raw-warm-up-", warmUp);
            // Alternately, round by round, so that a slow spell of the machine weighs on both sides alike. The watched
            // run goes last in odd rounds and first in even ones, so that neither side always has the larger store.
            for (int round = 1; round <= rounds; round++) {
                boolean watchedFirst = round % 2 == 0;
                BerthRun watchedBefore = watchedFirst ? berth.runViewed("viewed-round-" + round + "-", jobs) : null;
                BerthRun run = berth.run("round-" + round + "-", jobs);
                double rawRate = raw(bench, rawDir, "raw-round-" + round + "-", jobs);
                BerthRun watched = watchedFirst ? watchedBefore : berth.runViewed("viewed-round-" + round + "-", jobs);
                viewedCpu.add(watched.cpuMillisPerJob());
                viewedRatios.add(watched.cpuMillisPerJob() / run.cpuMillisPerJob());
                berthRates.add(run.jobsPerSecond());
                cpu.add(run.cpuMillisPerJob());
                rawRates.add(rawRate);
                ratios.add(run.jobsPerSecond() / rawRate);
            }
        }
        List<Row> rows = new ArrayList<>(List.of(
                Row.of(name(), "raw: " + jobs + " services, at most " + PENDING_CAP + " waiting to start", "jobs/s", rawRates),
                Row.of(name(), "berth: " + jobs + " jobs sent at once, to all complete", "jobs/s", berthRates),
                Row.of(name(), "berth ÷ raw, round by round", "ratio", ratios).target("median ≥ 0.9", ratios.median() >= 0.9),
                Row.of(name(), "berth serve's CPU time per job (user + system)", "ms", cpu),
                Row.of(name(), "berth serve's CPU time per job, a dashboard refreshing every second", "ms", viewedCpu),
                Row.of(name(), "CPU per job with the dashboard ÷ without, round by round", "ratio", viewedRatios)
                        .target("median ≤ 1.05", viewedRatios.median() <= 1.05)
                        .note(String.format("%+.1f%% between the two rows' medians", 100 * (viewedCpu.median() / cpu.median() - 1)))));
        if (bench.beforeClasspath().isPresent()) {
            try (Daemon before = Daemon.start(bench, dir.resolve("before"), warmUp, bench.beforeClasspath())) {
                BerthRun run = before.run("before-", jobs);
                double ratio = run.jobsPerSecond() / rawRates.median();
                rows.add(Row.single(name(), "berth: " + jobs + " jobs sent at once, to all complete (before)", "jobs/s", run.jobsPerSecond()));
                rows.add(Row.single(name(), "berth ÷ raw's median (before)", "ratio", ratio).target("≥ 0.9", ratio >= 0.9));
                rows.add(Row.single(name(), "berth serve's CPU time per job (user + system) (before)", "ms", run.cpuMillisPerJob()));
            }
        }
        return rows;
    }

    private record BerthRun(double jobsPerSecond, double cpuMillisPerJob) {}

    /** One berth serve, warmed up, that runs batches of no-op jobs. */
    private static final class Daemon
            implements AutoCloseable
    {
        private final GitRepos repo;
        private final EmbeddedSqs sqs;
        private final BerthUnderTest berth;
        private int sent;

        private Daemon(GitRepos repo, EmbeddedSqs sqs, BerthUnderTest berth)
        {
            this.repo = repo;
            this.sqs = sqs;
            this.berth = berth;
        }

        /** @param classpath an earlier build's, to measure beside this one */
        static Daemon start(Bench bench, Path dir, int warmUp, Optional<String> classpath)
                throws Exception
        {
            GitRepos repo = Bench.noOpRepository(dir.resolve("repo"));
            EmbeddedSqs sqs = EmbeddedSqs.start(0, dir.resolve("sqs"));
            Daemon daemon = new Daemon(repo, sqs, BerthUnderTest.start(dir.resolve("berth"), sqs.endpoint(), bench.testbed().managerDockerHost(), Map.of(),
                    classpath));
            if (classpath.isEmpty()) {
                // Watched, so that the pages' code is compiled too: a dashboard stays open for weeks as berth runs
                daemon.runViewed("warm-up-", warmUp);
            }
            else {
                daemon.run("warm-up-", warmUp);
            }
            return daemon;
        }

        /** The same run while a browser left open on the jobs page refreshes its live table as the store changes, at most every second. */
        BerthRun runViewed(String prefix, int jobs)
                throws Exception
        {
            URI web = berth.webUri();
            try (DashboardViewer viewer = DashboardViewer.open(web)) {
                return run(prefix, jobs);
            }
        }

        BerthRun run(String prefix, int jobs)
                throws Exception
        {
            List<String> requests = IntStream.rangeClosed(1, jobs).mapToObj(i -> Requests.noOp(repo.fileUrl(), prefix + i)).toList();
            int expected = sent + jobs;
            double cpuBefore = berth.cpuSeconds();
            long start = System.nanoTime();
            berth.queue().sendAll(Requests.outgoing(requests), "bench");
            await().atMost(Duration.ofMinutes(30)).pollInterval(POLL).until(() -> berth.count(JobState.SUCCEEDED) == expected);
            sent = expected;
            return new BerthRun(jobs / seconds(start), (berth.cpuSeconds() - cpuBefore) * 1000 / jobs);
        }

        @Override
        public void close()
                throws Exception
        {
            try (repo; sqs) {
                berth.close();
            }
        }
    }

    /** The baseline's run: {@code jobs} services, never more than {@link #PENDING_CAP} not yet started; returns services/s. */
    static double raw(Bench bench, Path dir, String prefix, int jobs)
            throws IOException, InterruptedException
    {
        RawSwarm raw = bench.raw();
        long start = System.nanoTime();
        int created = 0;
        Set<String> completed = new HashSet<>();
        List<String> waiting = new ArrayList<>();
        while (completed.size() < jobs) {
            Map<String, String> states = raw.taskStates();
            waiting.clear();
            for (int i = 1; i <= created; i++) {
                String service = prefix + i;
                String state = states.get(service);
                if (completed.contains(service)) {
                    continue;
                }
                if ("complete".equals(state)) {
                    raw.remove(service);
                    completed.add(service);
                }
                else if (state == null || !STARTED.contains(state)) {
                    waiting.add(service);
                }
            }
            while (waiting.size() < PENDING_CAP && created < jobs) {
                String service = prefix + ++created;
                raw.create(service, LocalSwarm.IMAGE, dir);
                waiting.add(service);
            }
            Thread.sleep(POLL.toMillis());
        }
        return jobs / seconds(start);
    }

    private static double seconds(long startNanos)
    {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
