package dev.berth.top;

import dev.berth.job.AttemptEnd;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobEnded;
import dev.berth.store.JobStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Jobs put into a real store and moved through their lives as the daemon moves them, for top's tests. */
final class StoredJobs
{
    private final JobStore store;
    private final RequestParser parser = new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3));

    StoredJobs(JobStore store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    void queued(String id, String name, int gpus, Instant at)
            throws Exception
    {
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"%s\", \"name\": \"%s\", \"resources\": {\"gpus\": %d}}"
                .formatted(id, name, gpus);
        store.writes().insert(parser.parse(body, id), body, Optional.empty(), at);
    }

    void preparing(String id)
    {
        store.writes().moveJob(id, Lifecycle.admitted());
    }

    /** Prepared, its attempt recorded and its service created: pending in Swarm. */
    void submitted(String id, int attempt, Instant at)
    {
        preparing(id);
        store.writes().recordAttempt(id, attempt, "berth-" + id + "-" + attempt, at);
        store.writes().attemptSubmitted(id, attempt);
    }

    void running(String id, int attempt, String node, Instant at)
    {
        submitted(id, attempt, at);
        store.writes().attemptRunning(id, attempt, node, at);
    }

    JobState exited(String id, int attempt, int code, Instant at)
    {
        return store.writes().finishAttempt(id, attempt, new AttemptEnd(Lifecycle.exited(code), Optional.empty(), Optional.empty(), at), JobEnded.NOTHING);
    }

    JobState interrupted(String id, int attempt, Instant at)
    {
        return store.writes().finishAttempt(id, attempt, new AttemptEnd(Lifecycle.interrupted("node went down"), Optional.empty(), Optional.empty(), at),
                JobEnded.NOTHING);
    }

    void timedOut(String id, int attempt, Instant at)
    {
        store.writes().finishAttempt(id, attempt, new AttemptEnd(Lifecycle.timedOut(Duration.ofMinutes(5)), Optional.empty(), Optional.empty(), at), JobEnded.NOTHING);
    }

    void succeeded(String id, int attempt, Instant at)
    {
        store.writes().finishAttempt(id, attempt, new AttemptEnd(Lifecycle.succeeded(), Optional.empty(), Optional.empty(), at), JobEnded.NOTHING);
    }
}
