package dev.berth.store;

import dev.berth.job.Attempt;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Claim;
import dev.berth.job.IllegalTransitionException;
import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.job.Resources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a real SQLite file. */
class JobStoreTest
{
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path temp;

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
    void storingTheSameRequestTwiceIsOneJob()
            throws Exception
    {
        String body = body("exp-1");
        assertThat(store.writes().insert(request(body, "exp-1"), body, Optional.of("msg-1"), NOW)).isEqualTo(InsertOutcome.CREATED);
        assertThat(store.writes().insert(request(body, "exp-1"), body, Optional.of("msg-2"), NOW)).isEqualTo(InsertOutcome.DUPLICATE);

        assertThat(store.reads().inStates(EnumSet.of(JobState.QUEUED))).extracting(Job::id).containsExactly("exp-1");
    }

    @Test
    void aJobIdTakenByAnotherRequestIsAConflict()
            throws Exception
    {
        String body = body("exp-1");
        store.writes().insert(request(body, "exp-1"), body, Optional.empty(), NOW);
        String other = body.replace("run.sh", "other.sh");

        assertThat(store.writes().insert(request(other, "exp-1"), other, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CONFLICT);
        assertThat(store.reads().job("exp-1").orElseThrow().spec().entrypoint()).isEqualTo("run.sh");
    }

    @Test
    void refusesAnIllegalMoveAndLeavesTheJobAsItWas()
            throws Exception
    {
        queued("exp-1");

        assertThatThrownBy(() -> store.writes().moveJob("exp-1", JobState.QUEUED, JobState.RUNNING, Optional.empty()))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> store.writes().moveJob("exp-1", JobState.PREPARING, JobState.SUBMITTED, Optional.empty()))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is QUEUED, not PREPARING");
        assertThat(store.reads().job("exp-1").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void interruptedAttemptsRequeueUntilNoneAreLeft()
            throws Exception
    {
        queued("exp-1");
        for (int attempt = 1; attempt <= 3; attempt++) {
            store.writes().moveJob("exp-1", JobState.QUEUED, JobState.PREPARING, Optional.empty());
            store.writes().recordAttempt("exp-1", attempt, "berth-exp-1-" + attempt, NOW);
            store.writes().attemptSubmitted("exp-1", attempt);
            store.writes().attemptRunning("exp-1", attempt, "worker-" + attempt, NOW);
            JobState next = store.writes().finishAttempt("exp-1", attempt, new AttemptEnd(AttemptState.INTERRUPTED, Optional.of(Cause.INFRA),
                    "interrupted: node worker-" + attempt + " went down", Optional.empty(), Optional.empty(), Optional.empty(), NOW.plusSeconds(attempt)),
                    JobEnded.NOTHING);
            assertThat(next).isEqualTo(attempt < 3 ? JobState.QUEUED : JobState.FAILED);
        }
        Job job = store.reads().job("exp-1").orElseThrow();
        assertThat(job.cause()).contains(Cause.INFRA);
        assertThat(job.reason().orElseThrow()).contains("worker-3 went down").contains("attempt 3 of 3, none left");
        List<Attempt> attempts = store.reads().attempts("exp-1");
        assertThat(attempts).extracting(Attempt::state).containsOnly(AttemptState.INTERRUPTED);
        assertThat(attempts).extracting(attempt -> attempt.node().orElseThrow()).containsExactly("worker-1", "worker-2", "worker-3");
    }

    @Test
    void retryExitCodesSurviveTheRoundTrip()
            throws Exception
    {
        String body = body("exp-1").replace("}", ", \"retry_exit_codes\": [75, 3]}");
        store.writes().insert(request(body, "exp-1"), body, Optional.empty(), NOW);

        assertThat(store.reads().job("exp-1").orElseThrow().spec().retryExitCodes()).containsExactly(3, 75);
        queued("exp-2");
        assertThat(store.reads().job("exp-2").orElseThrow().spec().retryExitCodes()).isEmpty();
    }

    @Test
    void aListedExitCodeRequeuesTheJobUntilNoAttemptsAreLeft()
            throws Exception
    {
        String body = body("exp-1").replace("}", ", \"retry_exit_codes\": [75], \"max_attempts\": 2}");
        store.writes().insert(request(body, "exp-1"), body, Optional.empty(), NOW);

        assertThat(runAndExit("exp-1", 1, 75)).isEqualTo(JobState.QUEUED);
        assertThat(store.reads().job("exp-1").orElseThrow().reason())
                .contains("attempt 1 of 2 exited with code 75; retrying (75 is in retry_exit_codes)");
        assertThat(runAndExit("exp-1", 2, 75)).isEqualTo(JobState.FAILED);
        Job job = store.reads().job("exp-1").orElseThrow();
        assertThat(job.cause()).contains(Cause.EXIT);
        assertThat(job.exitCode()).contains(75);
        assertThat(job.reason()).contains("exited with code 75 (attempt 2 of 2, none left)");
    }

    @Test
    void anExitCodeNotListedEndsTheJob()
            throws Exception
    {
        String body = body("exp-1").replace("}", ", \"retry_exit_codes\": [75]}");
        store.writes().insert(request(body, "exp-1"), body, Optional.empty(), NOW);

        assertThat(runAndExit("exp-1", 1, 3)).isEqualTo(JobState.FAILED);
        assertThat(store.reads().job("exp-1").orElseThrow().reason()).contains("exited with code 3");
    }

    @Test
    void aStoreMadeBeforeRetryExitCodesGainsTheColumnAndKeepsItsJobs()
            throws Exception
    {
        store.close();
        Path old = temp.resolve("old.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + old);
                Statement statement = connection.createStatement()) {
            // The schema and an insert exactly as the previous version wrote them.
            statement.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            statement.execute("""
                    CREATE TABLE jobs (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL,
                        state TEXT NOT NULL,
                        cause TEXT,
                        reason TEXT,
                        request TEXT NOT NULL,
                        message_id TEXT,
                        repo TEXT, branch TEXT, entrypoint TEXT, params TEXT, image TEXT,
                        cpus REAL, memory INTEGER, gpus INTEGER, env TEXT, timeout_ms INTEGER, max_attempts INTEGER, pool TEXT,
                        image_ref TEXT, commit_sha TEXT, run_dir TEXT,
                        received_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                        exit_code INTEGER,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        cancel_requested INTEGER NOT NULL DEFAULT 0)""");
            statement.execute("CREATE INDEX jobs_by_state ON jobs(state, seq)");
            statement.execute("CREATE INDEX jobs_by_state_pool ON jobs(state, pool, seq)");
            statement.execute("""
                    CREATE TABLE attempts (
                        job_id TEXT NOT NULL REFERENCES jobs(id),
                        number INTEGER NOT NULL,
                        service_name TEXT NOT NULL UNIQUE,
                        state TEXT NOT NULL,
                        node TEXT, cause TEXT, reason TEXT, exit_code INTEGER,
                        created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                        PRIMARY KEY (job_id, number))""");
            statement.execute("INSERT INTO meta (key, value) VALUES ('instance', 'old12345')");
            statement.execute("""
                    INSERT INTO jobs (id, name, state, request, repo, branch, entrypoint, image, cpus, memory, gpus,
                                      env, max_attempts, received_at)
                    VALUES ('old-1', 'run', 'QUEUED', '{}', 'https://github.com/org/repo', 'main', 'run.sh', 'img', 1, 1073741824, 0,
                            '{}', 3, 1767323045000)""");
        }

        store = JobStore.open(old);

        assertThat(store.instanceId()).isEqualTo("old12345");
        JobRequest spec = store.reads().job("old-1").orElseThrow().spec();
        assertThat(spec.entrypoint()).isEqualTo("run.sh");
        assertThat(spec.maxAttempts()).isEqualTo(3);
        assertThat(spec.retryExitCodes()).isEmpty();
        String body = body("new-1").replace("}", ", \"retry_exit_codes\": [75]}");
        store.writes().insert(request(body, "new-1"), body, Optional.empty(), NOW);
        assertThat(store.reads().job("new-1").orElseThrow().spec().retryExitCodes()).containsExactly(75);
    }

    @Test
    void cancellingAQueuedJobEndsItAtOnceAndALiveOneIsFlagged()
            throws Exception
    {
        queued("queued");
        queued("running");
        store.writes().moveJob("running", JobState.QUEUED, JobState.PREPARING, Optional.empty());

        assertThat(store.writes().requestCancel("queued", NOW)).isEqualTo(JobState.CANCELLED);
        assertThat(store.writes().requestCancel("running", NOW)).isEqualTo(JobState.PREPARING);
        assertThat(store.reads().job("running").orElseThrow().cancelRequested()).isTrue();
        assertThat(store.reads().job("queued").orElseThrow().cause()).contains(Cause.CANCELLED);
    }

    @Test
    void rejectedRequestsAreKeptWithTheirReason()
    {
        assertThat(store.writes().insertRejected("m1", "{oops", "not valid JSON", Optional.of("msg"), NOW)).isTrue();
        assertThat(store.writes().insertRejected("m1", "{oops", "not valid JSON", Optional.of("msg"), NOW)).isFalse();

        Job job = store.reads().job("m1").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.REJECTED);
        assertThat(job.reason()).contains("not valid JSON");
        assertThat(job.rawRequest()).isEqualTo("{oops");
    }

    @Test
    void findsJobsByUniquePrefix()
            throws Exception
    {
        queued("abc-1");
        queued("abc-2");
        queued("xyz");

        assertThat(store.reads().find("xy")).map(Job::id).contains("xyz");
        assertThat(store.reads().find("nothing")).isEmpty();
        assertThatThrownBy(() -> store.reads().find("abc")).isInstanceOf(AmbiguousJobIdException.class).hasMessageContaining("abc-1, abc-2");
    }

    @Test
    void stateSurvivesReopening()
            throws Exception
    {
        queued("exp-1");
        String instance = store.instanceId();
        store.close();

        store = JobStore.open(temp.resolve("berth.db"));

        assertThat(store.reads().job("exp-1")).isPresent();
        assertThat(store.instanceId()).isEqualTo(instance);
    }

    @Test
    void admissionSeesTheOldestQueuedJobsOfEveryPoolInArrivalOrder()
            throws Exception
    {
        for (int i = 1; i <= 4; i++) {
            queued("spot-" + i, Optional.of("spot"));
            queued("any-" + i, Optional.empty());
        }
        queued("gpu-1", Optional.of("gpu"));
        store.writes().moveJob("spot-1", JobState.QUEUED, JobState.PREPARING, Optional.empty());

        // A deep queue in one pool must not hide the head of another.
        assertThat(store.reads().oldestQueued(2)).extracting(Claim::jobId).containsExactly("any-1", "spot-2", "any-2", "spot-3", "gpu-1");
    }

    @Test
    void claimsCarryWhatEachJobAsksOfANodeAndWhetherItWasCancelled()
            throws Exception
    {
        String body = body("big-1", Optional.of("gpu")).replace("}", ", \"resources\": {\"cpus\": 2.5, \"memory\": \"3g\", \"gpus\": 1}, \"timeout\": \"90s\"}");
        store.writes().insert(request(body, "big-1"), body, Optional.empty(), NOW);
        queued("small-1");
        store.writes().moveJob("small-1", JobState.QUEUED, JobState.PREPARING, Optional.empty());
        store.writes().requestCancel("small-1", NOW);

        assertThat(store.reads().oldestQueued(10)).singleElement().satisfies(claim -> {
            assertThat(claim.jobId()).isEqualTo("big-1");
            assertThat(claim.resources()).isEqualTo(new Resources(2.5, 3L << 30, 1));
            assertThat(claim.pool()).contains("gpu");
            assertThat(claim.timeout()).contains(Duration.ofSeconds(90));
            assertThat(claim.cancelRequested()).isFalse();
        });
        assertThat(store.reads().liveClaims()).singleElement().satisfies(claim -> {
            assertThat(claim.jobId()).isEqualTo("small-1");
            assertThat(claim.state()).isEqualTo(JobState.PREPARING);
            assertThat(claim.resources()).isEqualTo(new Resources(1, 1 << 30, 0));
            assertThat(claim.pool()).isEmpty();
            assertThat(claim.cancelRequested()).isTrue();
        });
    }

    @Test
    void readersNeitherWaitForNorBlockTheWriter()
            throws Exception
    {
        queued("exp-1");
        try (Connection daemon = DriverManager.getConnection("jdbc:sqlite:" + temp.resolve("berth.db"));
                Statement writing = daemon.createStatement()) {
            writing.execute("BEGIN IMMEDIATE");
            writing.execute("UPDATE jobs SET reason = 'half-done' WHERE id = 'exp-1'");

            // What a CLI command does while the daemon is mid-transaction: open, list, look one up.
            try (JobStore cli = JobStore.open(temp.resolve("berth.db"))) {
                assertThat(cli.reads().newest(EnumSet.noneOf(JobState.class), 10)).extracting(Job::id).containsExactly("exp-1");
                assertThat(cli.reads().job("exp-1").orElseThrow().reason()).isEmpty();
            }
            writing.execute("COMMIT");
        }
        assertThat(store.reads().job("exp-1").orElseThrow().reason()).contains("half-done");
    }

    /** Runs attempt {@code number} of a queued job until it exits with {@code code}; returns the job's next state. */
    private JobState runAndExit(String id, int number, int code)
    {
        store.writes().moveJob(id, JobState.QUEUED, JobState.PREPARING, Optional.empty());
        store.writes().recordAttempt(id, number, "berth-" + id + "-" + number, NOW);
        store.writes().attemptSubmitted(id, number);
        store.writes().attemptRunning(id, number, "worker-1", NOW);
        return store.writes().finishAttempt(id, number, new AttemptEnd(AttemptState.FAILED, Optional.of(Cause.EXIT), "exited with code " + code,
                Optional.of(code), Optional.empty(), Optional.empty(), NOW.plusSeconds(number)), JobEnded.NOTHING);
    }

    private void queued(String id)
            throws Exception
    {
        queued(id, Optional.empty());
    }

    private void queued(String id, Optional<String> pool)
            throws Exception
    {
        String body = body(id, pool);
        store.writes().insert(request(body, id), body, Optional.empty(), NOW);
    }

    private static String body(String id)
    {
        return body(id, Optional.empty());
    }

    private static String body(String id, Optional<String> pool)
    {
        return "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\""
                + pool.map(name -> ", \"pool\": \"" + name + "\"").orElse("") + "}";
    }

    private static JobRequest request(String body, String id)
            throws Exception
    {
        return new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, id);
    }
}
