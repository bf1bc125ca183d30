package dev.berth.daemon;

import dev.berth.config.BerthConfig;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.metrics.BerthMetrics;
import dev.berth.queue.QueueMessage;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.testing.DirectExecutor;
import dev.berth.testing.FakeJobQueue;
import dev.berth.testing.FakeSwarm;
import dev.berth.testing.TestingClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs that wait for others, end to end through the daemon's parts: requests through intake off an in-memory
 * queue, the real scheduler round by round over a real SQLite store, Swarm and time in memory.
 */
class DependenciesTest
{
    private static final Duration POLL = Duration.ofSeconds(1);

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));
    private final FakeSwarm swarm = new FakeSwarm(clock).withNode(FakeSwarm.node("n1", 4, 16));
    private final FakeJobQueue queue = new FakeJobQueue();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private JobStore store;
    private Scheduler scheduler;
    private Intake intake;

    @BeforeEach
    void start()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        BerthConfig config = BerthConfig.load(Map.of("BERTH_STATE_DIR", temp.toString(), "BERTH_POLL_INTERVAL", POLL.toMillis() + "ms"));
        scheduler = Scheduler.create(store, swarm, new FakePreparer(), new RunDirs(config.runsDir()), config, clock, clock, FailPoints.none(),
                new DirectExecutor(), new DirectExecutor(), new BerthMetrics(meters), WorkDirMode.overlays());
        intake = new Intake(queue, store, new RequestParser(new RequestDefaults("berth-local/busybox:1", 1, 1L << 30, 3)), swarm, scheduler::wake,
                clock, clock, Duration.ofSeconds(1), Duration.ofSeconds(60), FailPoints.none(), new BerthMetrics(meters));
    }

    @AfterEach
    void stop()
    {
        scheduler.close();
        store.close();
    }

    @Test
    void aJobAfterAnotherRunsOnlyOnceThatOneSucceeded()
    {
        submit("a", "");
        submit("b", ", \"after\": [\"a\"]");
        assertThat(job("b").state()).isEqualTo(JobState.WAITING);

        roundsUntil(() -> job("a").state() == JobState.SUBMITTED);
        swarm.run(service("a"), "n1");
        rounds(3);
        assertThat(job("b").state()).as("waits while a runs").isEqualTo(JobState.WAITING);
        assertThat(swarm.createdServices()).containsExactly(service("a"));

        swarm.exit(service("a"), 0);
        roundsUntil(() -> swarm.createdServices().contains(service("b")));

        assertThat(job("a").state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job("b").state()).isEqualTo(JobState.SUBMITTED);
        assertThat(job("b").receivedAt()).as("its place in line is the one it was received in").isEqualTo(Instant.parse("2026-03-04T05:06:07Z"));
    }

    @Test
    void aJobAfterOneThatFailsIsCancelledNamingItAndSoAreTheJobsWaitingForIt()
    {
        submit("a", "");
        submit("b", ", \"after\": [\"a\"]");
        submit("c", ", \"after\": [\"b\"]");
        submit("d", ", \"after_any\": [\"b\"]");

        roundsUntil(() -> job("a").state() == JobState.SUBMITTED);
        swarm.run(service("a"), "n1");
        rounds(1);
        swarm.exit(service("a"), 3);
        roundsUntil(() -> job("a").state().terminal());

        assertThat(job("a").state()).isEqualTo(JobState.FAILED);
        assertThat(job("b").state()).isEqualTo(JobState.CANCELLED);
        assertThat(job("b").cause()).contains(Cause.CANCELLED);
        assertThat(job("b").reason()).contains("dependency a failed: it ended FAILED");
        assertThat(job("c").state()).isEqualTo(JobState.CANCELLED);
        assertThat(job("c").reason()).contains("dependency b failed: it ended CANCELLED");
        assertThat(job("d").state()).as("after_any runs after any end").isNotIn(JobState.WAITING, JobState.CANCELLED);
        roundsUntil(() -> swarm.createdServices().contains(service("d")));
        assertThat(swarm.createdServices()).containsExactly(service("a"), service("d"));
    }

    @Test
    void aJobAfterOnesThatEndedAlreadyIsDecidedAtIntake()
    {
        submit("ok", "");
        submit("bad", ", \"max_attempts\": 1");
        roundsUntil(() -> job("bad").state() == JobState.SUBMITTED);
        swarm.run(service("ok"), "n1");
        swarm.run(service("bad"), "n1");
        swarm.exit(service("ok"), 0);
        swarm.exit(service("bad"), 1);
        roundsUntil(() -> job("ok").state().terminal() && job("bad").state().terminal());

        submit("after-ok", ", \"after\": [\"ok\"]");
        submit("after-any-bad", ", \"after_any\": [\"bad\"]");
        submit("after-bad", ", \"after\": [\"ok\", \"bad\"]");

        assertThat(job("after-ok").state()).isEqualTo(JobState.QUEUED);
        assertThat(job("after-any-bad").state()).isEqualTo(JobState.QUEUED);
        assertThat(job("after-bad").state()).isEqualTo(JobState.CANCELLED);
        assertThat(job("after-bad").reason()).contains("dependency bad failed: it ended FAILED");
    }

    @Test
    void aDependencyOnAnUnknownJobIsRejectedNamingItAndAPrefixFindsTheJob()
    {
        submit("a1b2c3", "");

        submit("b", ", \"after\": [\"a1b\"]");
        String unknown = queue.send(body("c", ", \"after\": [\"a1b2c3\", \"nope\"]"));
        receive();

        assertThat(store.reads().dependencies("b")).extracting(dependency -> dependency.dependency().jobId()).containsExactly("a1b2c3");
        assertThat(store.reads().job("c")).isEmpty();
        Job rejected = store.reads().newest(EnumSet.of(JobState.REJECTED), 10).get(0);
        assertThat(rejected.reason().orElseThrow()).startsWith("after names job 'nope', which berth does not know");
        assertThat(queue.deadLetters()).containsKey(unknown);
    }

    @Test
    void aJobMayWaitForOneSentJustBeforeItInTheSameBatch()
    {
        queue.send(body("sweep-1", ""));
        queue.send(body("report", ", \"after_any\": [\"sweep-1\"]"));
        receive();

        assertThat(job("sweep-1").state()).isEqualTo(JobState.QUEUED);
        assertThat(job("report").state()).isEqualTo(JobState.WAITING);
    }

    @Test
    void cancellingAWaitingJobCancelsItAtOnceAndSettlesTheJobsWaitingForIt()
    {
        submit("a", "");
        submit("b", ", \"after\": [\"a\"]");
        submit("c", ", \"after_any\": [\"b\"]");

        assertThat(store.writes().requestCancel("b", clock.instant())).isEqualTo(JobState.CANCELLED);

        assertThat(job("b").reason()).contains("cancelled on request while waiting");
        assertThat(job("c").state()).isEqualTo(JobState.QUEUED);
        assertThat(job("a").state()).isEqualTo(JobState.QUEUED);
    }

    private void submit(String id, String fields)
    {
        queue.send(body(id, fields));
        receive();
    }

    private void receive()
    {
        List<QueueMessage> messages = queue.receive(Duration.ZERO, Duration.ofSeconds(60));
        intake.handle(messages);
    }

    private static String body(String id, String fields)
    {
        return "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\"" + fields + "}";
    }

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

    private static String service(String jobId)
    {
        return Swarm.serviceName(jobId, 1);
    }
}
