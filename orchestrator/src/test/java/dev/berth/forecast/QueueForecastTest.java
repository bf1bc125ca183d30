package dev.berth.forecast;

import dev.berth.config.FairShare;
import dev.berth.fairshare.UsageLedger;
import dev.berth.job.AttemptEnd;
import dev.berth.job.Job;
import dev.berth.job.Lifecycle;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobEnded;
import dev.berth.store.JobStore;
import dev.berth.store.QueueReads.Holding;
import dev.berth.store.QueueReads.InLine;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A queued job's place in its pool's line and its estimated start, from a real store and from the estimate's rule alone. */
class QueueForecastTest
{
    private static final Instant NOW = Instant.parse("2026-12-02T06:00:00Z");
    private static final String TRAIN = "https://github.com/lab/train";
    private static final String EVAL = "https://github.com/lab/eval";

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);
    private JobStore store;
    private QueueForecast forecast;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        forecast = new QueueForecast(store, FairShare.equalShares(), clock);
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void eachRunningJobsEndLetsTheNextInLineStartAndRunItsTypicalTime()
    {
        List<Holding> running = List.of(
                new Holding(TRAIN, "train.sh", Optional.of(NOW.minus(Duration.ofMinutes(4)))),
                new Holding(TRAIN, "train.sh", Optional.of(NOW.minus(Duration.ofMinutes(8)))));
        List<InLine> line = List.of(new InLine("a", TRAIN, "train.sh"), new InLine("b", TRAIN, "train.sh"), new InLine("c", TRAIN, "train.sh"));

        Map<String, Optional<Instant>> starts = QueueForecast.starts(NOW, running, line, (repo, entrypoint) -> Optional.of(Duration.ofMinutes(10)));

        assertThat(starts.get("a")).as("when the one started 8 minutes ago ends").contains(NOW.plus(Duration.ofMinutes(2)));
        assertThat(starts.get("b")).as("when the one started 4 minutes ago ends").contains(NOW.plus(Duration.ofMinutes(6)));
        assertThat(starts.get("c")).as("when a, started at +2m, has run its 10 minutes").contains(NOW.plus(Duration.ofMinutes(12)));
    }

    @Test
    void aJobPastItsTypicalTimeIsExpectedToEndNowNotInThePast()
    {
        List<Holding> running = List.of(new Holding(TRAIN, "train.sh", Optional.of(NOW.minus(Duration.ofHours(3)))));

        Map<String, Optional<Instant>> starts = QueueForecast.starts(NOW, running, List.of(new InLine("a", TRAIN, "train.sh")),
                (repo, entrypoint) -> Optional.of(Duration.ofMinutes(10)));

        assertThat(starts.get("a")).contains(NOW);
    }

    @Test
    void aJobAheadWithNoTypicalTimeLeavesEveryStartAfterItUnknown()
    {
        List<Holding> running = List.of(new Holding(TRAIN, "train.sh", Optional.of(NOW)));
        List<InLine> line = List.of(new InLine("new", EVAL, "eval.sh"), new InLine("after", TRAIN, "train.sh"));

        Map<String, Optional<Instant>> starts = QueueForecast.starts(NOW, running, line,
                (repo, entrypoint) -> repo.equals(TRAIN) ? Optional.of(Duration.ofMinutes(10)) : Optional.empty());

        assertThat(starts.get("new")).as("it starts when the running one ends, however long it then runs").contains(NOW.plus(Duration.ofMinutes(10)));
        assertThat(starts.get("after")).isEmpty();
    }

    @Test
    void nothingHoldingThePoolsNodesMeansNoEstimate()
    {
        Map<String, Optional<Instant>> starts = QueueForecast.starts(NOW, List.of(), List.of(new InLine("a", TRAIN, "train.sh")),
                (repo, entrypoint) -> Optional.of(Duration.ofMinutes(10)));

        assertThat(starts.get("a")).isEmpty();
    }

    @Test
    void placesComeFromTheStoreByPoolWithTheMedianOfPastSuccesses()
            throws Exception
    {
        // Three past runs of train.sh: 5, 20 and 9 minutes; the median is 9
        ran("old-1", TRAIN, "gpu", Duration.ofMinutes(5));
        ran("old-2", TRAIN, "gpu", Duration.ofMinutes(20));
        ran("old-3", TRAIN, "gpu", Duration.ofMinutes(9));
        running("now-1", TRAIN, "gpu", NOW.minus(Duration.ofMinutes(3)));
        Job first = queued("first", TRAIN, "gpu");
        Job elsewhere = queued("elsewhere", TRAIN, null);
        Job second = queued("second", TRAIN, "gpu");

        QueueForecast.Snapshot snapshot = forecast.snapshot();

        assertThat(snapshot.placeOf(first)).contains(new QueuePlace(1, 2, Optional.of("gpu"), Optional.of(NOW.plus(Duration.ofMinutes(6)))));
        assertThat(snapshot.placeOf(second)).contains(new QueuePlace(2, 2, Optional.of("gpu"), Optional.of(NOW.plus(Duration.ofMinutes(15)))));
        assertThat(snapshot.placeOf(elsewhere)).as("first in its own line, where nothing runs: no estimate")
                .contains(new QueuePlace(1, 1, Optional.empty(), Optional.empty()));
        assertThat(forecast.placeOf(store.reads().job("now-1").orElseThrow())).as("a running job has no place in line").isEmpty();
    }

    @Test
    void aJobFarBackInADeepQueueGetsItsPlaceWithoutAnEstimate()
            throws Exception
    {
        running("now-1", TRAIN, "spot", NOW);
        for (int i = 1; i <= QueueForecast.MOST_AHEAD + 2; i++) {
            queued("q-" + i, TRAIN, "spot");
        }

        Optional<QueuePlace> last = forecast.placeOf(store.reads().job("q-" + (QueueForecast.MOST_AHEAD + 2)).orElseThrow());

        assertThat(last).contains(new QueuePlace(QueueForecast.MOST_AHEAD + 2, QueueForecast.MOST_AHEAD + 2, Optional.of("spot"), Optional.empty()));
    }

    @Test
    void placesAreInTheOrderFairShareAdmitsIn()
            throws Exception
    {
        // Ada has used the fleet lately, as the daemon last counted; bob has not
        store.writes().recordUsage("ada", new UsageLedger.Used(5, NOW.minus(Duration.ofHours(1))));
        Job adasFirst = queued("ada-1", TRAIN, "gpu", "ada", 0);
        Job adasSecond = queued("ada-2", TRAIN, "gpu", "ada", 0);
        Job adasUrgent = queued("ada-urgent", TRAIN, "gpu", "ada", 9);
        Job bobs = queued("bob-1", TRAIN, "gpu", "bob", 0);

        QueueForecast.Snapshot snapshot = forecast.snapshot();

        assertThat(snapshot.placeOf(bobs)).map(QueuePlace::position).contains(1L);
        assertThat(snapshot.placeOf(adasUrgent)).map(QueuePlace::position).contains(2L);
        assertThat(snapshot.placeOf(adasFirst)).map(QueuePlace::position).contains(3L);
        assertThat(snapshot.placeOf(adasSecond)).map(QueuePlace::position).contains(4L);
    }

    private Job queued(String id, String repo, String pool)
            throws Exception
    {
        return queued(id, repo, pool, "ada", 0);
    }

    private Job queued(String id, String repo, String pool, String user, int priority)
            throws Exception
    {
        String body = "{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repo + "\", \"branch\": \"main\", \"entrypoint\": \"train.sh\""
                + (pool == null ? "" : ", \"pool\": \"" + pool + "\"") + ", \"user\": \"" + user + "\", \"priority\": " + priority + "}";
        store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, id), body, Optional.empty(), NOW);
        return store.reads().job(id).orElseThrow();
    }

    private void running(String id, String repo, String pool, Instant started)
            throws Exception
    {
        queued(id, repo, pool);
        store.writes().moveJob(id, Lifecycle.admitted());
        store.writes().recordAttempt(id, 1, "berth-" + id + "-1", started);
        store.writes().attemptSubmitted(id, 1);
        store.writes().attemptRunning(id, 1, "worker-1", started);
    }

    private void ran(String id, String repo, String pool, Duration took)
            throws Exception
    {
        Instant started = NOW.minus(Duration.ofHours(1));
        running(id, repo, pool, started);
        store.writes().finishAttempt(id, 1, new AttemptEnd(Lifecycle.succeeded(), Optional.of("worker-1"), Optional.of(started), started.plus(took)),
                JobEnded.NOTHING);
    }
}
