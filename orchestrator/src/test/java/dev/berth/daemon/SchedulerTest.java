package dev.berth.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.BerthConfig;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.metrics.BerthMetrics;
import dev.berth.registry.RegistryAccessException;
import dev.berth.rundir.RunDirs;
import dev.berth.store.InsertOutcome;
import dev.berth.store.JobStore;
import dev.berth.swarm.ServiceRequest;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.DirectExecutor;
import dev.berth.testing.FakeSwarm;
import dev.berth.testing.TestingClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scheduling policy, through the real scheduler and a real SQLite store, with Swarm, preparation
 * and time in memory: every round is one call, so each test walks a job's life step by step, in
 * milliseconds and without Docker. The integration tests on a real engine remain the proof.
 */
class SchedulerTest
{
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final int PENDING_CAP = 2;

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));
    private final FakeSwarm swarm = new FakeSwarm(clock).withNode(FakeSwarm.node("n1", 4, 16)).withNode(FakeSwarm.node("n2", 4, 16));
    private final FakePreparer preparer = new FakePreparer();
    private final WorkDirMode workDirMode = WorkDirMode.overlays();
    /** One for the whole test, restarts of the scheduler included, as the counts a test asserts span them. */
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private JobStore store;
    private Scheduler scheduler;

    @BeforeEach
    void start()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        scheduler = scheduler(FailPoints.none());
    }

    @AfterEach
    void stop()
    {
        scheduler.close();
        store.close();
    }

    @Test
    void admitsFirstInFirstOutAndNeverHoldsMoreThanThePendingCapInSwarm()
    {
        submit("a", "");
        submit("b", "");
        submit("c", "");

        roundsUntil(() -> swarm.createdServices().size() == 2);
        rounds(3);

        assertThat(swarm.createdServices()).containsExactly(service("a", 1), service("b", 1));
        assertThat(job("c").state()).isEqualTo(JobState.PREPARING);

        swarm.run(service("a", 1), "n1");
        roundsUntil(() -> swarm.createdServices().size() == 3);

        assertThat(swarm.createdServices()).containsExactly(service("a", 1), service("b", 1), service("c", 1));
        assertThat(job("a").state()).isEqualTo(JobState.RUNNING);
        assertThat(attempts("a").get(0).node()).contains("n1");
    }

    @Test
    void aJobThatSucceedsIsRecordedWithItsResultAndItsServiceRemoved()
            throws Exception
    {
        submit("ok", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.run(service("ok", 1), "n2");
        rounds(1);
        swarm.exit(service("ok", 1), 0);
        roundsUntil(() -> job("ok").state().terminal());

        Job job = job("ok");
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.exitCode()).contains(0);
        assertThat(job.commit()).contains(FakePreparer.COMMIT);
        assertThat(swarm.liveServices()).isEmpty();
        assertThat(new ObjectMapper().readTree(job.runDir().orElseThrow().resolve("result.json").toFile()).path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(Files.readString(job.runDir().orElseThrow().resolve("exit_code")).strip()).isEqualTo("0");
    }

    @Test
    void aJobThatFitsNoNodeFailsAtOnceNamingTheLargestNode()
    {
        submit("huge", ", \"resources\": {\"cpus\": 16}");

        rounds(1);

        Job job = job("huge");
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.REQUEST);
        assertThat(job.reason().orElseThrow()).startsWith("no node can ever hold this job: it asks for cpus=16");
        assertThat(swarm.createdServices()).isEmpty();
    }

    @Test
    void aGpuJobWaitsForTheEmptyGpuPoolSayingSoOnceThenRunsWhenAGpuNodeJoins()
    {
        scheduler.close();
        scheduler = scheduler(FailPoints.none(), Map.of("BERTH_POOLS", "spot:m6i.xlarge:4:16g:0:worker_count,gpu:g5.xlarge:4:16g:1:gpu_worker_count"));
        submit("train", ", \"resources\": {\"gpus\": 1}");

        rounds(1);

        Job waiting = job("train");
        assertThat(waiting.state()).isEqualTo(JobState.QUEUED);
        assertThat(waiting.reason()).contains("waiting for a node in pool gpu: none running; scale with `terraform apply -var gpu_worker_count=N`");
        // The reason is written when it changes, not at every round the job keeps waiting
        long marker = store.reads().changeMarker();
        rounds(3);
        assertThat(store.reads().changeMarker()).isEqualTo(marker);

        swarm.withNode(new SwarmNode("g1", "g1", "ready", "active", Map.of(SwarmNode.POOL_LABEL, "gpu"), 4_000_000_000L, 16L << 30, List.of("GPU-0")));
        roundsUntil(() -> swarm.createdServices().contains(service("train", 1)));
    }

    @Test
    void eachEndedAttemptIsPricedByItsNodesPoolAndTheJobsShareOfItTheLostOneToo()
    {
        scheduler.close();
        scheduler = scheduler(FailPoints.none(), Map.of("BERTH_POOL_PRICES", "spot:m6i.2xlarge:0.40:spot"));
        // Attempts record their node's hostname, which is not its Swarm id
        swarm.withNode(new SwarmNode("s1", "spot-1", "ready", "active", Map.of(SwarmNode.POOL_LABEL, "spot"), 8_000_000_000L, 32L << 30, List.of()))
                .withNode(new SwarmNode("s2", "spot-2", "ready", "active", Map.of(SwarmNode.POOL_LABEL, "spot"), 8_000_000_000L, 32L << 30, List.of()));
        // 2 of a node's 8 CPUs and 1 of its 32 GiB: a quarter of the node
        submit("priced", ", \"resources\": {\"cpus\": 2, \"memory\": \"1g\"}");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.run(service("priced", 1), "s1");
        rounds(1);
        clock.advance(Duration.ofMinutes(30));
        swarm.setNode("s1", "down", "active");
        roundsUntil(() -> swarm.createdServices().contains(service("priced", 2)));
        swarm.run(service("priced", 2), "s2");
        rounds(1);
        clock.advance(Duration.ofHours(1));
        swarm.exit(service("priced", 2), 0);
        roundsUntil(() -> job("priced").state().terminal());

        double runHours = attempts("priced").stream()
                .mapToDouble(attempt -> Duration.between(attempt.startedAt().orElseThrow(), attempt.finishedAt().orElseThrow()).toMillis() / 3_600_000.0)
                .sum();
        assertThat(attempts("priced")).extracting(attempt -> attempt.node().orElseThrow()).containsExactly("spot-1", "spot-2");
        assertThat(runHours).as("both attempts ran, the lost one for half an hour").isGreaterThan(1.5);
        dev.berth.cost.Cost cost = store.reads().costs(List.of("priced")).get("priced");
        assertThat(cost.known()).isTrue();
        assertThat(cost.instanceHours()).isCloseTo(runHours * 0.25, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(cost.usd()).isCloseTo(runHours * 0.25 * 0.40, org.assertj.core.api.Assertions.within(1e-9));
    }

    @Test
    void anAttemptOnANodeOfNoPricedPoolCostsUnknown()
    {
        submit("unpriced", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.run(service("unpriced", 1), "n1");
        rounds(1);
        swarm.exit(service("unpriced", 1), 0);
        roundsUntil(() -> job("unpriced").state().terminal());

        assertThat(store.reads().costs(List.of("unpriced")).get("unpriced").unknown()).containsExactly("node n1 has no pool");
    }

    @Test
    void aJobNoInstanceTypeOfTheFleetHoldsFailsAtOnce()
    {
        scheduler.close();
        scheduler = scheduler(FailPoints.none(), Map.of("BERTH_POOLS", "spot:m6i.xlarge:4:16g:0,gpu:g5.xlarge:4:16g:1"));
        submit("gpus", ", \"resources\": {\"gpus\": 2}");

        rounds(1);

        Job job = job("gpus");
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.REQUEST);
        assertThat(job.reason().orElseThrow()).endsWith("the largest it could use, g5.xlarge of pool 'gpu', has cpus=4 memory=16g gpus=1");
    }

    @Test
    void aJobThatFitsNoNodeNowWaitsAndSaysWhy()
    {
        submit("big", ", \"resources\": {\"cpus\": 4}");
        submit("bigger", ", \"resources\": {\"cpus\": 4}");
        submit("biggest", ", \"resources\": {\"cpus\": 4}");
        roundsUntil(() -> swarm.createdServices().size() == 2);
        rounds(2);

        assertThat(job("biggest").state()).isEqualTo(JobState.QUEUED);
        assertThat(job("biggest").reason().orElseThrow()).startsWith("waiting for a node with room for cpus=4");
    }

    @Test
    void anInterruptedAttemptIsRetriedUntilItsAttemptsRunOut()
    {
        submit("lossy", ", \"max_attempts\": 2");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.run(service("lossy", 1), "n1");
        rounds(1);

        swarm.setNode("n1", "down", "active");
        roundsUntil(() -> swarm.createdServices().size() == 2);

        assertThat(attempts("lossy").get(0).state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(attempts("lossy").get(0).cause()).contains(Cause.INFRA);
        assertThat(swarm.liveServices()).containsExactly(service("lossy", 2));

        swarm.run(service("lossy", 2), "n2");
        rounds(1);
        swarm.setNode("n2", "ready", "drain");
        roundsUntil(() -> job("lossy").state().terminal());

        Job job = job("lossy");
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.INFRA);
        assertThat(job.reason().orElseThrow()).isEqualTo("interrupted: node n2 was drained (attempt 2 of 2, none left)");
        assertThat(swarm.liveServices()).isEmpty();
        assertThat(attemptsEnded("INTERRUPTED", "infra")).isEqualTo(2);
        assertThat(meters.get("berth.attempt.run").tag("state", "INTERRUPTED").timer().count()).isEqualTo(2);
        assertThat(meters.get("berth.job.wait").timer().count()).as("the retry's start ends no second wait").isEqualTo(1);
    }

    @Test
    void aWorkerThatCannotMountTheOverlayInterruptsTheAttemptAndLaterAttemptsGetFullCheckouts()
    {
        submit("overlaid", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.failToStart(service("overlaid", 1), "n1", "starting container failed: error while mounting volume '/var/lib/docker/volumes/"
                + "berth-overlaid-1-work-0a1b2c/_data': failed to mount local volume: mount overlay:/var/lib/docker/volumes/berth-overlaid-1-work-0a1b2c/_data, "
                + "flags: 0x0, data: lowerdir=/shared/snapshots/c0ffee/tree: invalid argument");
        roundsUntil(() -> swarm.createdServices().size() == 2);

        Attempt first = attempts("overlaid").get(0);
        assertThat(first.state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(first.cause()).contains(Cause.INFRA);
        assertThat(first.reason().orElseThrow()).startsWith("interrupted: the worker on n1 could not mount the job's overlay of its commit, "
                + "so its next attempt runs on a full checkout: starting container failed");
        assertThat(workDirMode.overlaysOn()).isFalse();

        swarm.run(service("overlaid", 2), "n2");
        rounds(1);
        swarm.exit(service("overlaid", 2), 0);
        roundsUntil(() -> job("overlaid").state().terminal());
        assertThat(job("overlaid").state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aSpotNoticeInterruptsTheAttemptAndItsRetryStartsOnceTheOldContainerHasSavedItsWork()
    {
        submit("spot", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.run(service("spot", 1), "n1");
        rounds(1);
        swarm.stopsSlowly(service("spot", 1));
        ServiceRequest firstService = swarm.service(service("spot", 1));

        swarm.drainForSpotNotice("n1");
        roundsUntil(() -> attempts("spot").get(0).state().terminal());
        rounds(3);

        Attempt first = attempts("spot").get(0);
        assertThat(first.state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(first.cause()).contains(Cause.INFRA);
        assertThat(first.reason()).contains("interrupted: spot interruption notice on n1");
        // Its container still has its stop grace to save a checkpoint: the retry is prepared, not yet started
        assertThat(swarm.liveServices()).isEmpty();
        assertThat(swarm.createdServices()).containsExactly(service("spot", 1));
        assertThat(job("spot").state()).isEqualTo(JobState.PREPARING);
        assertThat(job("spot").reason().orElseThrow()).isEqualTo("waiting for attempt 1's container on n1 to stop (SIGTERM, then up to its stop_grace"
                + " of 1m30s, to save its work), so that attempt 2 starts from its last checkpoint");

        swarm.containerGone(service("spot", 1));
        rounds(1);

        assertThat(swarm.liveServices()).containsExactly(service("spot", 2));
        // Both attempts write the one checkpoint dir of the job, the only part of its run dir besides their own
        Path checkpoint = job("spot").runDir().orElseThrow().resolve("checkpoint");
        for (ServiceRequest attempt : List.of(firstService, swarm.service(service("spot", 2)))) {
            assertThat(attempt.env()).containsEntry("BERTH_CHECKPOINT_DIR", checkpoint.toString());
            assertThat(attempt.mounts()).contains(new ServiceRequest.Mount(checkpoint, false), new ServiceRequest.Mount(job("spot").runDir().orElseThrow(), true));
        }
        swarm.run(service("spot", 2), "n2");
        rounds(1);
        assertThat(job("spot").state()).isEqualTo(JobState.RUNNING);
        assertThat(attempts("spot").get(1).node()).contains("n2");
    }

    @Test
    void aTaskSwarmStopsForADrainTheLastNodeListingMissedIsTheNoticesDoing()
    {
        submit("noticed", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.run(service("noticed", 1), "n1");
        rounds(1);
        // Another job's start awaited: berth lists its tasks more often than the nodes
        submit("starting", "");
        roundsUntil(() -> swarm.liveServices().size() == 2);
        rounds(1);

        // Within a poll interval of the last node listing: the drain is not in it, only in the task Swarm is stopping
        swarm.drainForSpotNotice("n1");
        swarm.shuttingDown(service("noticed", 1));
        for (int i = 0; i < 9 && !attempts("noticed").get(0).state().terminal(); i++) {
            clock.advance(POLL.dividedBy(10));
            scheduler.runOnce();
        }

        Attempt first = attempts("noticed").get(0);
        assertThat(first.state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(first.reason()).contains("interrupted: spot interruption notice on n1");
    }

    @Test
    void aRetryWaitsForTheOldContainerNoLongerThanItsGraceNorForOneOnANodeThatIsGone()
    {
        swarm.withNode(FakeSwarm.node("n3", 4, 16));
        submit("stuck", ", \"stop_grace\": \"5s\"");
        submit("reclaimed", "");
        roundsUntil(() -> swarm.liveServices().size() == 2);
        swarm.run(service("stuck", 1), "n1");
        swarm.run(service("reclaimed", 1), "n2");
        rounds(1);
        swarm.stopsSlowly(service("stuck", 1));
        swarm.stopsSlowly(service("reclaimed", 1));

        swarm.drainForSpotNotice("n1");
        swarm.setNode("n2", "down", "active");
        roundsUntil(() -> swarm.createdServices().contains(service("reclaimed", 2)));

        assertThat(swarm.createdServices()).doesNotContain(service("stuck", 2));
        // Past its grace of 5 s and the margin, a container that will not go no longer holds the job back
        rounds(5 + (int) PreviousAttemptStop.MARGIN.toSeconds() - 2);
        assertThat(swarm.createdServices()).doesNotContain(service("stuck", 2));
        roundsUntil(() -> swarm.createdServices().contains(service("stuck", 2)));
    }

    @Test
    void theJobsOwnFailureIsNotRetriedUnlessItsCodeIsListed()
    {
        submit("fails", "");
        submit("flaky", ", \"retry_exit_codes\": [75]");
        roundsUntil(() -> swarm.createdServices().size() == 2);
        swarm.run(service("fails", 1), "n1");
        swarm.run(service("flaky", 1), "n2");
        rounds(1);
        swarm.exit(service("fails", 1), 3);
        swarm.exit(service("flaky", 1), 75);
        roundsUntil(() -> swarm.createdServices().contains(service("flaky", 2)));

        assertThat(job("fails").state()).isEqualTo(JobState.FAILED);
        assertThat(job("fails").cause()).contains(Cause.EXIT);
        assertThat(job("fails").exitCode()).contains(3);
        assertThat(attempts("fails")).hasSize(1);
        assertThat(attempts("flaky").get(0).reason()).contains("exited with code 75");
        assertThat(attemptsEnded("FAILED", "exit")).isEqualTo(2);
        assertThat(meters.get("berth.jobs.admitted").counter().count()).as("fails, flaky, and flaky again").isEqualTo(3);
    }

    @Test
    void aJobsWaitRunsFromItsReceiptToItsStartAndItsRunFromTheStartToTheEnd()
    {
        submit("timed", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        clock.advance(Duration.ofSeconds(30));
        swarm.run(service("timed", 1), "n1");
        rounds(1);
        clock.advance(Duration.ofMinutes(5));
        swarm.exit(service("timed", 1), 0);
        roundsUntil(() -> job("timed").state().terminal());

        Job job = job("timed");
        Timer waited = meters.get("berth.job.wait").timer();
        assertThat(waited.count()).isEqualTo(1);
        assertThat(waited.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(Duration.between(job.receivedAt(), job.startedAt().orElseThrow()).toMillis())
                .isGreaterThanOrEqualTo(30_000);
        Timer ran = meters.get("berth.attempt.run").tag("state", "SUCCEEDED").timer();
        assertThat(ran.count()).isEqualTo(1);
        assertThat(ran.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(Duration.between(job.startedAt().orElseThrow(), job.finishedAt().orElseThrow()).toMillis())
                .isGreaterThanOrEqualTo(300_000);
        assertThat(attemptsEnded("SUCCEEDED", "none")).isEqualTo(1);
    }

    @Test
    void aJobThatStartsAndEndsBetweenTwoPollsIsTimedFromItsStartMarker()
            throws Exception
    {
        submit("quick", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        clock.advance(Duration.ofSeconds(20));
        Instant started = clock.instant();
        Path marker = RunDirs.attemptDir(job("quick").runDir().orElseThrow(), 1).resolve(JobServices.START_MARKER);
        Files.createDirectories(marker.getParent());
        Files.setLastModifiedTime(Files.createFile(marker), FileTime.from(started));
        swarm.run(service("quick", 1), "n1");
        clock.advance(Duration.ofSeconds(3));
        swarm.exit(service("quick", 1), 0);
        roundsUntil(() -> job("quick").state().terminal());

        assertThat(job("quick").startedAt()).contains(started);
        assertThat(meters.get("berth.job.wait").timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(Duration.between(job("quick").receivedAt(), started).toMillis());
        assertThat(meters.get("berth.attempt.run").tag("state", "SUCCEEDED").timer().count()).isEqualTo(1);
    }

    @Test
    void aStartMarkerTheJobReplacedWithALinkGivesTheLinksOwnTimeNotItsTargets()
            throws Exception
    {
        submit("quick", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        clock.advance(Duration.ofSeconds(20));
        Instant started = clock.instant();
        // A file of the manager's, whose time would be taken for the start if berth followed the link
        Path elsewhere = Files.writeString(temp.resolve("manager-file"), "not the job's");
        Files.setLastModifiedTime(elsewhere, FileTime.from(started.minus(Duration.ofDays(400))));
        Path marker = RunDirs.attemptDir(job("quick").runDir().orElseThrow(), 1).resolve(JobServices.START_MARKER);
        Files.createDirectories(marker.getParent());
        Files.createSymbolicLink(marker, elsewhere);
        Files.getFileAttributeView(marker, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(FileTime.from(started), null, null);
        swarm.run(service("quick", 1), "n1");
        clock.advance(Duration.ofSeconds(3));
        swarm.exit(service("quick", 1), 0);
        roundsUntil(() -> job("quick").state().terminal());

        assertThat(job("quick").startedAt()).contains(started);
        assertThat(Files.getLastModifiedTime(elsewhere).toInstant()).isEqualTo(started.minus(Duration.ofDays(400)));
    }

    @Test
    void aJobPastItsTimeoutIsStoppedAndRecordedTimedOut()
    {
        submit("slow", ", \"timeout\": \"90s\"");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.run(service("slow", 1), "n1");
        rounds(1);
        assertThat(job("slow").state()).isEqualTo(JobState.RUNNING);

        clock.advance(Duration.ofSeconds(90));
        rounds(1);

        Job job = job("slow");
        assertThat(job.state()).isEqualTo(JobState.TIMED_OUT);
        assertThat(job.cause()).contains(Cause.TIMEOUT);
        assertThat(job.reason()).contains("ran longer than its timeout of 1m30s");
        assertThat(swarm.liveServices()).isEmpty();
    }

    @Test
    void aCancelledQueuedJobNeverRuns()
    {
        // Held in the queue behind a job that takes the only room
        submit("first", ", \"resources\": {\"cpus\": 4}");
        submit("second", ", \"resources\": {\"cpus\": 4}");
        submit("queued", ", \"resources\": {\"cpus\": 4}");
        roundsUntil(() -> swarm.createdServices().size() == 2);

        assertThat(store.writes().requestCancel("queued", clock.instant())).isEqualTo(JobState.CANCELLED);
        rounds(2);

        assertThat(job("queued").reason()).contains("cancelled on request while queued");
        assertThat(swarm.createdServices()).doesNotContain(service("queued", 1));
    }

    @Test
    void aJobCancelledWhilePreparedEndsWithoutAService()
    {
        submit("a", "");
        submit("b", "");
        submit("waits", "");
        roundsUntil(() -> swarm.createdServices().size() == 2);
        rounds(1);
        assertThat(job("waits").state()).isEqualTo(JobState.PREPARING);

        store.writes().requestCancel("waits", clock.instant());
        rounds(1);

        Job job = job("waits");
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.reason()).contains("cancelled on request while preparing");
        assertThat(swarm.createdServices()).doesNotContain(service("waits", 1));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCancelledJobInSwarmHasItsServiceRemoved(boolean running)
    {
        submit("victim", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        if (running) {
            swarm.run(service("victim", 1), "n1");
            rounds(1);
        }
        assertThat(job("victim").state()).isEqualTo(running ? JobState.RUNNING : JobState.SUBMITTED);

        store.writes().requestCancel("victim", clock.instant());
        rounds(1);

        assertThat(job("victim").state()).isEqualTo(JobState.CANCELLED);
        assertThat(attempts("victim").get(0).state()).isEqualTo(AttemptState.CANCELLED);
        assertThat(swarm.liveServices()).isEmpty();
    }

    @Test
    void aBadRequestFailsInPreparationWithoutRetry()
    {
        preparer.badRequest("typo", "branch 'mian' not found in https://github.com/org/repo");
        submit("typo", "");

        roundsUntil(() -> job("typo").state().terminal());

        assertThat(job("typo").state()).isEqualTo(JobState.FAILED);
        assertThat(job("typo").cause()).contains(Cause.REQUEST);
        assertThat(job("typo").reason()).contains("branch 'mian' not found in https://github.com/org/repo");
        assertThat(preparer.prepared()).isEmpty();
    }

    @Test
    void aPassingFaultInPreparationIsRetriedAfterABackoff()
    {
        preparer.infrastructureFault("unlucky", 1);
        submit("unlucky", "");
        rounds(1);

        assertThat(job("unlucky").state()).isEqualTo(JobState.QUEUED);
        assertThat(job("unlucky").reason().orElseThrow()).isEqualTo("preparation failed (try 1 of 6), retrying in 10s: disk full");
        rounds(5);
        assertThat(preparer.prepared()).isEmpty();

        clock.advance(Duration.ofSeconds(10));
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        assertThat(preparer.prepared()).containsExactly("unlucky#1");
    }

    @Test
    void aLastingFaultInPreparationFailsTheJobAsInfrastructure()
    {
        preparer.infrastructureFault("doomed", 100);
        submit("doomed", "");

        for (int i = 0; i < 100 && !job("doomed").state().terminal(); i++) {
            clock.advance(Duration.ofMinutes(3));
            rounds(1);
        }

        assertThat(job("doomed").state()).isEqualTo(JobState.FAILED);
        assertThat(job("doomed").cause()).contains(Cause.INFRA);
        assertThat(job("doomed").reason().orElseThrow()).startsWith("preparation failed 6 times for reasons not the job's own; the last: disk full");
    }

    @Test
    void aServiceSwarmRefusesFailsTheJobAsTheRequestsFault()
    {
        swarm.failNextCreate(FakeSwarm.refused("invalid mount config"));
        submit("refused", "");

        roundsUntil(() -> job("refused").state().terminal());

        assertThat(job("refused").cause()).contains(Cause.REQUEST);
        assertThat(job("refused").reason().orElseThrow()).contains("Swarm refused the job's service: invalid mount config");
    }

    @Test
    void aRegistryRefusingTheCredentialsAtTheCreateFailsTheJobAsTheRequestsFault()
    {
        // Pinned with good credentials, then refused by the time its service is created (a token ECR no longer grants)
        swarm.failNextCreate(new RegistryAccessException("ECR refused a token for registry 123456789012.dkr.ecr.us-east-1.amazonaws.com"));
        submit("denied", "");

        roundsUntil(() -> job("denied").state().terminal());

        assertThat(job("denied").state()).isEqualTo(JobState.FAILED);
        assertThat(job("denied").cause()).contains(Cause.REQUEST);
        assertThat(job("denied").reason().orElseThrow()).contains("ECR refused a token for registry 123456789012.dkr.ecr.us-east-1.amazonaws.com");
        assertThat(attempts("denied")).hasSize(1);
        assertThat(swarm.liveServices()).isEmpty();
    }

    /** A crash (SIGKILL, power loss) in each window between two durable steps; the next start runs the job exactly once. */
    @ParameterizedTest
    @ValueSource(strings = {FailPoints.AFTER_CHECKOUT, FailPoints.BEFORE_CREATE, FailPoints.AFTER_CREATE})
    void aCrashBeforeTheJobRunsIsReconciledAndTheJobRunsOnce(String point)
    {
        crashAt(point, () -> {
            submit("survivor", "");
            rounds(5);
        });

        roundsUntil(() -> swarm.liveServices().contains(service("survivor", 1)));
        swarm.run(service("survivor", 1), "n1");
        rounds(1);
        swarm.exit(service("survivor", 1), 0);
        roundsUntil(() -> job("survivor").state().terminal());

        assertThat(job("survivor").state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(attempts("survivor")).hasSize(1);
        assertThat(swarm.createdServices()).containsExactly(service("survivor", 1));
        assertThat(swarm.liveServices()).isEmpty();
    }

    @Test
    void aCrashAfterTheResultIsRecordedLeavesAServiceTheNextStartRemoves()
            throws Exception
    {
        crash(FailPoints.AFTER_RESULT, () -> {
            submit("done", "");
            roundsUntil(() -> !swarm.liveServices().isEmpty());
            swarm.run(service("done", 1), "n1");
            rounds(1);
            swarm.exit(service("done", 1), 0);
            rounds(1);
        });
        assertThat(job("done").state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(swarm.liveServices()).containsExactly(service("done", 1));
        Files.delete(job("done").runDir().orElseThrow().resolve("result.json"));

        restart(FailPoints.none());

        assertThat(swarm.liveServices()).isEmpty();
        assertThat(job("done").runDir().orElseThrow().resolve("result.json")).exists();
        assertThat(swarm.createdServices()).hasSize(1);
    }

    @Test
    void aCrashWhileRunningAdoptsTheRunningServiceAndRecordsItsEnd()
    {
        submit("long", "");
        roundsUntil(() -> !swarm.liveServices().isEmpty());
        swarm.run(service("long", 1), "n1");
        rounds(1);

        restart(FailPoints.none());
        swarm.exit(service("long", 1), 0);
        roundsUntil(() -> job("long").state().terminal());

        assertThat(job("long").state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(swarm.createdServices()).hasSize(1);
    }

    @Test
    void aServiceNameHeldByAnotherBerthIsNeverTakenForThisOnes()
    {
        submit("shared-id", "");
        swarm.addForeignService(new dev.berth.swarm.ServiceRequest(service("shared-id", 1), Map.of(Swarm.INSTANCE_LABEL, "other"), "img",
                List.of("sh"), Map.of(), temp, List.of(), 1, 1, 0, "GPU", Optional.empty(), List.of(),
                Duration.ofSeconds(10)));

        rounds(3);

        assertThat(job("shared-id").state()).isEqualTo(JobState.PREPARING);
        assertThat(job("shared-id").reason().orElseThrow()).contains("is held by another berth on this swarm");
        assertThat(swarm.service(service("shared-id", 1)).labels()).containsEntry(Swarm.INSTANCE_LABEL, "other");
    }

    @Test
    void aJobsSecretsReachItsServiceAsReferencesByName()
    {
        swarm.withSecret("hf_token").withSecret("db.password");
        submit("with-secrets", ", \"secrets\": [\"hf_token\", \"db.password\"], \"env\": {\"SEED\": \"7\"}");

        roundsUntil(() -> !swarm.createdServices().isEmpty());

        dev.berth.swarm.ServiceRequest service = swarm.service(service("with-secrets", 1));
        assertThat(service.secrets()).containsExactly("hf_token", "db.password");
        // A secret is a mounted file, never an environment variable: the daemon only ever holds its name
        assertThat(service.env()).containsEntry("SEED", "7").doesNotContainKeys("hf_token", "db.password");
        assertThat(service.env().values()).noneMatch(value -> value.contains("hf_token") || value.contains("db.password"));
    }

    @Test
    void aSecretRemovedBeforeItsJobsServiceFailsTheJobAsTheRequestsFaultNamingIt()
    {
        swarm.withSecret("hf_token");
        submit("secret-gone", ", \"secrets\": [\"hf_token\"]");
        swarm.removeSecret("hf_token");

        roundsUntil(() -> job("secret-gone").state().terminal());

        Job job = job("secret-gone");
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.REQUEST);
        assertThat(job.reason().orElseThrow()).contains("secret not found: hf_token");
        assertThat(attempts("secret-gone")).singleElement().satisfies(attempt -> assertThat(attempt.cause()).contains(Cause.REQUEST));
        assertThat(swarm.liveServices()).isEmpty();
    }

    /** Runs {@code steps} with the daemon armed to crash at {@code point}, then starts a new daemon over the same store and swarm. */
    private void crashAt(String point, Runnable steps)
    {
        crash(point, steps);
        restart(FailPoints.none());
    }

    /** Runs {@code steps} with the daemon armed to crash at {@code point}, and checks that it did. */
    private void crash(String point, Runnable steps)
    {
        scheduler.close();
        scheduler = scheduler(FailPoints.at(point, () -> {
            throw new Crash();
        }));
        assertThatThrownBy(steps::run).isInstanceOf(Crash.class);
    }

    /** As after a kill: nothing of the old scheduler's memory survives, only the store and Swarm. */
    private void restart(FailPoints failPoints)
    {
        scheduler = scheduler(failPoints);
        scheduler.reconcile();
    }

    private Scheduler scheduler(FailPoints failPoints)
    {
        return scheduler(failPoints, Map.of());
    }

    private Scheduler scheduler(FailPoints failPoints, Map<String, String> settings)
    {
        Map<String, String> environment = new java.util.HashMap<>(settings);
        environment.put("BERTH_STATE_DIR", temp.toString());
        environment.put("BERTH_PENDING_CAP", String.valueOf(PENDING_CAP));
        environment.put("BERTH_POLL_INTERVAL", POLL.toMillis() + "ms");
        BerthConfig config = BerthConfig.load(environment);
        return Scheduler.create(store, swarm, preparer, new RunDirs(config.runsDir()), config, clock, clock, failPoints, new DirectExecutor(),
                new DirectExecutor(), new BerthMetrics(meters), workDirMode);
    }

    private void submit(String id, String fields)
    {
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\"" + fields + "}";
        RequestParser parser = new RequestParser(new RequestDefaults("berth-local/busybox:1", 1, 1L << 30, 3));
        try {
            assertThat(store.writes().insert(parser.parse(body, id), body, Optional.empty(), clock.instant())).isEqualTo(InsertOutcome.CREATED);
        }
        catch (dev.berth.job.InvalidRequestException e) {
            throw new AssertionError(e);
        }
        scheduler.wake();
    }

    /** One listing round: the poll interval passes, then the scheduler takes its turn. */
    private void rounds(int count)
    {
        for (int i = 0; i < count; i++) {
            clock.advance(POLL);
            scheduler.runOnce();
        }
    }

    private void roundsUntil(BooleanSupplier condition)
    {
        for (int i = 0; i < 20 && !condition.getAsBoolean(); i++) {
            rounds(1);
        }
        assertThat(condition.getAsBoolean()).as("condition met within 20 rounds").isTrue();
    }

    private Job job(String id)
    {
        return store.reads().job(id).orElseThrow();
    }

    private List<Attempt> attempts(String id)
    {
        return store.reads().attempts(id);
    }

    private double attemptsEnded(String state, String cause)
    {
        return meters.get("berth.attempts.ended").tags("state", state, "cause", cause).counter().count();
    }

    private static String service(String jobId, int attempt)
    {
        return Swarm.serviceName(jobId, attempt);
    }

    /** What a kill does to the daemon at a fail point: it stops there, and nothing after it runs. */
    private static final class Crash
            extends Error
    {
        Crash()
        {
            super("crashed at a fail point");
        }
    }
}
