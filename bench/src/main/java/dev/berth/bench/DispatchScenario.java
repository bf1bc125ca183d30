package dev.berth.bench;

import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
        try (GitRepos repo = Bench.noOpRepository(dir.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0, dir.resolve("sqs"));
                BerthUnderTest berth = BerthUnderTest.start(dir.resolve("berth"), sqs.endpoint(), bench.testbed().managerDockerHost(), Map.of(),
                        Optional.empty())) {
            // Warm: the mirror exists and holds the branch's tip, as it does for every job but a repository's first
            berth.queue().sendAll(Requests.outgoing(List.of(Requests.noOp(repo.fileUrl(), "warm"))), "bench");
            berth.awaitEnd("warm", AT_MOST);

            for (int round = 1; round <= rounds; round++) {
                String jobId = "dispatch-" + round;
                Instant sent = Instant.now();
                berth.queue().sendAll(Requests.outgoing(List.of(Requests.noOp(repo.fileUrl(), jobId))), "bench");
                berthLatency.add(Duration.between(sent, berth.awaitStarted(jobId, AT_MOST).toInstant()).toMillis());
                if (berth.awaitEnd(jobId, AT_MOST).state() != JobState.SUCCEEDED) {
                    throw new IllegalStateException("job " + jobId + " did not succeed: " + berth.store().reads().job(jobId));
                }

                String service = "raw-dispatch-" + round;
                Instant created = Instant.now();
                Path marker = bench.raw().create(service, LocalSwarm.IMAGE, rawDir).resolve(".started");
                await().atMost(AT_MOST).pollInterval(Duration.ofMillis(10)).until(() -> Files.exists(marker));
                rawLatency.add(Duration.between(created, Files.getLastModifiedTime(marker).toInstant()).toMillis());
                await().atMost(AT_MOST).pollInterval(Duration.ofMillis(50)).until(() -> "complete".equals(bench.raw().taskStates().get(service)));
                bench.raw().remove(service);
            }
        }
        double overhead = berthLatency.median() - rawLatency.median();
        return List.of(
                Row.of(name(), "berth: SQS send → container running", "ms", berthLatency)
                        .target("p99 ≤ 5000 ms", berthLatency.p99() <= 5000),
                Row.of(name(), "raw: service create → container running", "ms", rawLatency),
                Row.single(name(), "berth's overhead (difference of medians)", "ms", overhead)
                        .target("≤ 150 ms", overhead <= 150));
    }
}
