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
        Path dir = bench.work().resolve(name());
        double berthRate = berth(bench, dir, jobs);
        double rawRate = raw(bench, RawSwarm.jobRoot(dir.resolve("raw")), jobs);
        double ratio = berthRate / rawRate;
        return List.of(
                Row.single(name(), "berth: " + jobs + " jobs sent at once, to all complete", "jobs/s", berthRate),
                Row.single(name(), "raw: " + jobs + " services, at most " + PENDING_CAP + " waiting to start", "jobs/s", rawRate),
                Row.single(name(), "berth ÷ raw", "ratio", ratio).target("≥ 0.9", ratio >= 0.9));
    }

    private static double berth(Bench bench, Path dir, int jobs)
            throws Exception
    {
        try (GitRepos repo = Bench.noOpRepository(dir.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0);
                BerthUnderTest berth = BerthUnderTest.start(dir.resolve("berth"), sqs.endpoint(), bench.testbed().managerDockerHost(), Map.of(),
                        Optional.empty())) {
            berth.queue().sendAll(Requests.outgoing(List.of(Requests.noOp(repo.fileUrl(), "warm"))), "bench");
            berth.awaitEnd("warm", Duration.ofMinutes(2));
            List<String> requests = IntStream.rangeClosed(1, jobs).mapToObj(i -> Requests.noOp(repo.fileUrl(), "throughput-" + i)).toList();
            long start = System.nanoTime();
            berth.queue().sendAll(Requests.outgoing(requests), "bench");
            await().atMost(Duration.ofMinutes(30)).pollInterval(POLL).until(() -> berth.count(JobState.SUCCEEDED) == jobs + 1);
            return jobs / seconds(start);
        }
    }

    private static double raw(Bench bench, Path dir, int jobs)
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
                String service = "raw-throughput-" + i;
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
                String service = "raw-throughput-" + ++created;
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
