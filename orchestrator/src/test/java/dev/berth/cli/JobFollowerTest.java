package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.job.JobMove;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobReads;
import dev.berth.store.JobStore;
import dev.berth.testing.TestingClock;
import dev.berth.time.Sleeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Against a real store, on a clock that moves only while the follower sleeps: the daemon's part is played in between. */
class JobFollowerTest
{
    private static final Instant START = Instant.parse("2026-05-06T07:08:09Z");
    private static final Duration INTERVAL = Duration.ofMillis(250);

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(START);
    private final List<Runnable> daemon = new ArrayList<>();
    private JobStore store;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void aJobThatEndsIsReturnedAfterItsLastLook()
            throws Exception
    {
        queued("exp-1");
        daemon.add(() -> { });
        daemon.add(() -> store.writes().moveJob("exp-1", new JobMove(JobState.QUEUED, JobState.PREPARING, Optional.empty(), Optional.of("mirroring"))));
        daemon.add(() -> store.writes().moveJob("exp-1", new JobMove(JobState.PREPARING, JobState.QUEUED, Optional.empty(), Optional.empty())));
        daemon.add(() -> store.writes().requestCancel("exp-1", clock.instant()));
        List<JobState> looks = new ArrayList<>();

        Optional<Job> ended = follower().awaitEnd("exp-1", JobFollower.FOREVER, job -> looks.add(job.state()));

        assertThat(ended).map(Job::state).contains(JobState.CANCELLED);
        assertThat(looks).containsExactly(JobState.QUEUED, JobState.QUEUED, JobState.PREPARING, JobState.QUEUED, JobState.CANCELLED);
        assertThat(clock.slept()).isEqualTo(INTERVAL.multipliedBy(4));
    }

    @Test
    void aJobThatDoesNotEndWithinPatienceIsGivenUpOn()
            throws Exception
    {
        queued("exp-1");
        List<Instant> looks = new ArrayList<>();

        Optional<Job> ended = follower().awaitEnd("exp-1", Duration.ofSeconds(1), job -> looks.add(clock.instant()));

        assertThat(ended).isEmpty();
        assertThat(looks).hasSize(4).first().isEqualTo(START);
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(1));
    }

    @Test
    void noPatienceIsNoLook()
            throws Exception
    {
        queued("exp-1");
        List<Job> looks = new ArrayList<>();

        assertThat(follower().awaitEnd("exp-1", Duration.ZERO, looks::add)).isEmpty();
        assertThat(looks).isEmpty();
    }

    @Test
    void aJobThatNeverAppearsWithinPatienceIsNotFoundAndTheUserToldWhyOnce()
            throws Exception
    {
        List<Instant> hints = new ArrayList<>();

        Optional<Job> found = follower().awaitJob("exp-1", JobReads::find, Duration.ofMinutes(1), () -> hints.add(clock.instant()));

        assertThat(found).isEmpty();
        assertThat(hints).containsExactly(START.plus(JobFollower.HINT_AFTER));
        assertThat(clock.instant()).isEqualTo(START.plus(Duration.ofMinutes(1)));
    }

    @Test
    void aJobTakenOffTheQueueSoonIsFoundWithoutAHint()
            throws Exception
    {
        daemon.add(() -> { });
        daemon.add(() -> queued("exp-1"));
        List<Instant> hints = new ArrayList<>();

        Optional<Job> found = follower().awaitJob("exp", JobReads::find, Duration.ofMinutes(1), () -> hints.add(clock.instant()));

        assertThat(found).map(Job::id).contains("exp-1");
        assertThat(hints).isEmpty();
        assertThat(clock.slept()).isEqualTo(INTERVAL.multipliedBy(2));
    }

    @Test
    void anExactIdIsNotTakenForThePrefixOfAnother()
            throws Exception
    {
        queued("exp-1");

        assertThat(follower().awaitJob("exp", JobReads::job, Duration.ofSeconds(1), () -> { })).isEmpty();
        assertThat(follower().awaitJob("exp", JobReads::find, Duration.ofSeconds(1), () -> { })).map(Job::id).contains("exp-1");
    }

    /** Each sleep first moves the clock, then does the daemon's next step, if any. */
    private JobFollower follower()
    {
        Sleeper sleeper = clock.sleeper();
        return new JobFollower(store.reads(), clock, duration -> {
            sleeper.sleep(duration);
            if (!daemon.isEmpty()) {
                daemon.remove(0).run();
            }
        }, INTERVAL);
    }

    private void queued(String id)
    {
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\"}";
        try {
            store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, id), body, Optional.empty(), clock.instant());
        }
        catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
