package dev.berth.store;

import dev.berth.fairshare.QueuedJobs;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.Claim;
import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.job.Lifecycle;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Job requests as a submitter sends them, and stored as intake stores them, for the store's tests. */
final class StoreRequests
{
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    private StoreRequests() {}

    static void queued(JobWrites writes, String id)
            throws Exception
    {
        queued(writes, id, Optional.empty());
    }

    static void queued(JobWrites writes, String id, Optional<String> pool)
            throws Exception
    {
        String body = body(id, pool);
        writes.insert(request(body, id), body, Optional.empty(), NOW);
    }

    static String body(String id)
    {
        return body(id, Optional.empty());
    }

    static String body(String id, Optional<String> pool)
    {
        return "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\""
                + pool.map(name -> ", \"pool\": \"" + name + "\"").orElse("") + "}";
    }

    static JobRequest request(String body, String id)
            throws Exception
    {
        return new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, id);
    }

    /** Runs the queued job {@code id} through one attempt that ends with {@code outcome}, as the daemon records it. */
    static void end(JobWrites writes, String id, AttemptOutcome outcome)
    {
        writes.moveJob(id, Lifecycle.admitted());
        writes.recordAttempt(id, 1, "berth-" + id + "-1", NOW);
        writes.attemptSubmitted(id, 1);
        // An exit code not in retry_exit_codes ends the job at its first attempt
        writes.finishAttempt(id, 1, new AttemptEnd(outcome, Optional.empty(), Optional.empty(), NOW), JobEnded.NOTHING);
    }

    /** The unknown user's jobs of no pool, in the order admission would take them. */
    static List<String> inLine(JobStore store)
    {
        QueuedJobs line = store.admission();
        List<String> ids = new ArrayList<>();
        List<Claim> next = line.firstOf(Optional.empty(), List.of(Job.UNKNOWN_USER));
        while (!next.isEmpty()) {
            ids.add(next.get(0).jobId());
            next = line.nextOf(Optional.empty(), next);
        }
        return ids;
    }
}
