package dev.berth.bench;

import dev.berth.job.InvalidRequestException;
import dev.berth.job.JobRequest;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.testing.LocalSwarm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The no-op job requests every scenario sends. */
final class Requests
{
    static final String NO_OP_ENTRYPOINT = "noop.sh";
    static final String NO_OP_SCRIPT = "#!/bin/sh\nexit 0\n";
    static final String BUSY_ENTRYPOINT = "busy.sh";
    /**
     * A job that runs a while: a few at a time keep the fleet full without churning containers. Each runs
     * 15 to 25 s, by the number its id ends in, so that they do not all end and start at one instant.
     */
    static final String BUSY_SCRIPT = "#!/bin/sh\nn=${BERTH_JOB_ID##*-}\nsleep $((15 + n % 11))\n";

    private static final Pattern JOB_ID = Pattern.compile("\"job_id\": \"([^\"]+)\"");
    /** What berth serve's settings in {@link BerthUnderTest} default to. */
    private static final RequestParser PARSER = new RequestParser(new RequestDefaults(LocalSwarm.IMAGE, 0.1, 32L << 20, 3));

    private Requests() {}

    static String noOp(String repoUrl, String jobId)
    {
        return "{\"job_id\": \"" + jobId + "\", \"repo_uri\": \"" + repoUrl + "\", \"branch\": \"main\", \"entrypoint\": \"" + NO_OP_ENTRYPOINT + "\"}";
    }

    /** A request for the busy job, taking one CPU: a worker of the test bed runs two at a time. */
    static String busy(String repoUrl, String jobId)
    {
        return "{\"job_id\": \"" + jobId + "\", \"repo_uri\": \"" + repoUrl + "\", \"branch\": \"main\", \"entrypoint\": \"" + BUSY_ENTRYPOINT
                + "\", \"resources\": {\"cpus\": 1}}";
    }

    /** A request for a pool no node carries: recorded, then left waiting, so it costs Swarm nothing. */
    static String parked(String repoUrl, String jobId)
    {
        return noOp(repoUrl, jobId).replace("}", ", \"pool\": \"none\"}");
    }

    static List<SqsJobQueue.Outgoing> outgoing(List<String> requests)
    {
        return requests.stream().map(request -> new SqsJobQueue.Outgoing(request, jobId(request))).toList();
    }

    /** The request as the daemon reads it, with this benchmark's defaults. */
    static JobRequest parse(String request)
    {
        try {
            return PARSER.parse(request, jobId(request));
        }
        catch (InvalidRequestException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static void store(JobStore store, List<String> requests)
    {
        Instant now = Instant.now();
        for (String request : requests) {
            store.writes().insert(parse(request), request, Optional.empty(), now);
        }
    }

    private static String jobId(String request)
    {
        Matcher matcher = JOB_ID.matcher(request);
        if (!matcher.find()) {
            throw new IllegalArgumentException("no job_id in " + request);
        }
        return matcher.group(1);
    }
}
