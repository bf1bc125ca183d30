package dev.berth.store;

import dev.berth.job.JobRequest;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;

import java.time.Instant;
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
}
