package dev.berth.bench;

import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;

import java.io.IOException;
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
 * Both first run an untimed batch of the same jobs. berth is measured as it runs on a fleet, for
 * weeks: in its first minute half of its CPU goes to the JIT compiling the code it then runs, which on
 * this test bed (workers sharing the manager's two cores) would be charged to berth as lost starts.
 * The baseline's warm-up batch leaves the swarm in the same state for both.
 */
final class ThroughputScenario
        implements Scenario
{
    /** berth's default BERTH_PENDING_CAP, which the daemon runs with here. */
    private static final int PENDING_CAP = 8;
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
        Path dir = bench.work().resolve(name());
        BerthRun berth = berth(bench, dir.resolve("berth"), warmUp, jobs, Optional.empty());
        Path rawDir = RawSwarm.jobRoot(dir.resolve("raw"));
        raw(bench, rawDir, "raw-warm-up-", warmUp);
        double rawRate = raw(bench, rawDir, "raw-throughput-", jobs);
        List<Row> rows = new ArrayList<>(List.of(Row.single(name(), "raw: " + jobs + " services, at most " + PENDING_CAP + " waiting to start", "jobs/s", rawRate)));
        rows.addAll(berth.rows(jobs, rawRate, ""));
        if (bench.beforeClasspath().isPresent()) {
            rows.addAll(berth(bench, dir.resolve("before"), warmUp, jobs, bench.beforeClasspath()).rows(jobs, rawRate, " (before)"));
        }
        return rows;
    }

    private record BerthRun(double jobsPerSecond, double cpuMillisPerJob)
    {
        List<Row> rows(int jobs, double rawRate, String label)
        {
            double ratio = jobsPerSecond / rawRate;
            return List.of(
                    Row.single("throughput", "berth: " + jobs + " jobs sent at once, to all complete" + label, "jobs/s", jobsPerSecond),
                    Row.single("throughput", "berth ÷ raw" + label, "ratio", ratio).target("≥ 0.9", ratio >= 0.9),
                    Row.single("throughput", "berth serve's CPU time per job (user + system)" + label, "ms", cpuMillisPerJob));
        }
    }

    /** @param classpath an earlier build's, to measure beside this one */
    private static BerthRun berth(Bench bench, Path dir, int warmUp, int jobs, Optional<String> classpath)
            throws Exception
    {
        try (GitRepos repo = Bench.noOpRepository(dir.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0);
                BerthUnderTest berth = BerthUnderTest.start(dir.resolve("berth"), sqs.endpoint(), bench.testbed().managerDockerHost(), Map.of(),
                        classpath)) {
            berth.queue().sendAll(Requests.outgoing(IntStream.rangeClosed(1, warmUp).mapToObj(i -> Requests.noOp(repo.fileUrl(), "warm-up-" + i)).toList()),
                    "bench");
            await().atMost(Duration.ofMinutes(10)).pollInterval(POLL).until(() -> berth.count(JobState.SUCCEEDED) == warmUp);
            List<String> requests = IntStream.rangeClosed(1, jobs).mapToObj(i -> Requests.noOp(repo.fileUrl(), "throughput-" + i)).toList();
            double cpuBefore = berth.cpuSeconds();
            long start = System.nanoTime();
            berth.queue().sendAll(Requests.outgoing(requests), "bench");
            await().atMost(Duration.ofMinutes(30)).pollInterval(POLL).until(() -> berth.count(JobState.SUCCEEDED) == warmUp + jobs);
            return new BerthRun(jobs / seconds(start), (berth.cpuSeconds() - cpuBefore) * 1000 / jobs);
        }
    }

    private static double raw(Bench bench, Path dir, String prefix, int jobs)
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
