package dev.berth.bench;

import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/**
 * One no-op job at a time from a warm repository: SQS send to container running for berth, service
 * create to container running for raw Swarm. "Running" is, for both, when the job wrapper's first
 * command touches {@code .started} on the shared dir (its modification time), so both are timed alike.
 */
final class DispatchScenario
        implements Scenario
{
    private static final Duration AT_MOST = Duration.ofMinutes(2);

    @Override
    public String name()
    {
        return "dispatch";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int rounds = bench.size(50, 8);
        Path dir = bench.work().resolve(name());
        Path rawDir = RawSwarm.jobRoot(dir.resolve("raw"));
        Samples berthLatency = new Samples();
        Samples rawLatency = new Samples();
        Optional<Samples> beforeLatency = Optional.empty();
        try (GitRepos repo = Bench.noOpRepository(dir.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0, dir.resolve("sqs"))) {
            try (BerthUnderTest berth = warm(bench, dir.resolve("berth"), sqs, repo, Optional.empty())) {
                for (int round = 1; round <= rounds; round++) {
                    berthLatency.add(dispatch(berth, repo, "dispatch-" + round));

                    String service = "raw-dispatch-" + round;
                    Instant created = Instant.now();
                    Path marker = bench.raw().create(service, LocalSwarm.IMAGE, rawDir).resolve(".started");
                    await().atMost(AT_MOST).pollInterval(Duration.ofMillis(10)).until(() -> Files.exists(marker));
                    rawLatency.add(Duration.between(created, Files.getLastModifiedTime(marker).toInstant()).toMillis());
                    await().atMost(AT_MOST).pollInterval(Duration.ofMillis(50)).until(() -> "complete".equals(bench.raw().taskStates().get(service)));
                    bench.raw().remove(service);
                }
            }
            if (bench.beforeClasspath().isPresent()) {
                Samples before = new Samples();
                try (BerthUnderTest berth = warm(bench, dir.resolve("before"), sqs, repo, bench.beforeClasspath())) {
                    for (int round = 1; round <= rounds; round++) {
                        before.add(dispatch(berth, repo, "before-dispatch-" + round));
                    }
                }
                beforeLatency = Optional.of(before);
            }
        }
        double overhead = berthLatency.median() - rawLatency.median();
        List<Row> rows = new ArrayList<>(List.of(
                Row.of(name(), "berth: SQS send → container running", "ms", berthLatency)
                        .target("p99 ≤ 5000 ms", berthLatency.p99() <= 5000),
                Row.of(name(), "raw: service create → container running", "ms", rawLatency),
                Row.single(name(), "berth's overhead (difference of medians)", "ms", overhead)
                        .target("≤ 150 ms", overhead <= 150)));
        if (beforeLatency.isPresent()) {
            double beforeOverhead = beforeLatency.get().median() - rawLatency.median();
            rows.add(Row.of(name(), "berth: SQS send → container running (before)", "ms", beforeLatency.get()));
            rows.add(Row.single(name(), "berth's overhead (difference of medians) (before)", "ms", beforeOverhead));
        }
        return rows;
    }

    /** A berth serve whose mirror exists and holds the branch's tip, as it does for every job but a repository's first. */
    private static BerthUnderTest warm(Bench bench, Path dir, EmbeddedSqs sqs, GitRepos repo, Optional<String> classpath)
            throws Exception
    {
        BerthUnderTest berth = BerthUnderTest.start(dir, sqs.endpoint(), bench.testbed().managerDockerHost(), Map.of(), classpath);
        String warm = dir.getFileName() + "-warm";
        berth.queue().sendAll(Requests.outgoing(List.of(Requests.noOp(repo.fileUrl(), warm))), "bench");
        berth.awaitEnd(warm, AT_MOST);
        return berth;
    }

    /** Sends one no-op job and returns how long it took from the send to its container running, in milliseconds. */
    private static long dispatch(BerthUnderTest berth, GitRepos repo, String jobId)
            throws Exception
    {
        Instant sent = Instant.now();
        berth.queue().sendAll(Requests.outgoing(List.of(Requests.noOp(repo.fileUrl(), jobId))), "bench");
        long millis = Duration.between(sent, berth.awaitStarted(jobId, AT_MOST).toInstant()).toMillis();
        if (berth.awaitEnd(jobId, AT_MOST).state() != JobState.SUCCEEDED) {
            throw new IllegalStateException("job " + jobId + " did not succeed: " + berth.store().reads().job(jobId));
        }
        return millis;
    }
}
