package dev.berth.job;


import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A job as stored. {@code request} is empty only for REJECTED jobs, whose body could not be
 * understood; {@code rawRequest} is always the body as received (for an array's task, the array's).
 * {@code task} says which task of which array the job is; empty for a job of its own.
 */
public record Job(
        long seq,
        String id,
        String name,
        JobState state,
        Optional<Cause> cause,
        Optional<String> reason,
        Optional<JobRequest> request,
        String rawRequest,
        Optional<String> imageRef,
        Optional<String> commit,
        Optional<Path> runDir,
        Instant receivedAt,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        Optional<Integer> exitCode,
        int attempts,
        boolean cancelRequested,
        String user,
        Optional<ArrayTask> task)
{
    /** The user of a job whose request and sender named none, and of every job stored before jobs had users. */
    public static final String UNKNOWN_USER = "unknown";

    public Job
    {
        requireNonNull(id, "id is null");
        requireNonNull(user, "user is null");
        requireNonNull(name, "name is null");
        requireNonNull(state, "state is null");
        requireNonNull(cause, "cause is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(request, "request is null");
        requireNonNull(rawRequest, "rawRequest is null");
        requireNonNull(imageRef, "imageRef is null");
        requireNonNull(commit, "commit is null");
        requireNonNull(runDir, "runDir is null");
        requireNonNull(receivedAt, "receivedAt is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
        requireNonNull(exitCode, "exitCode is null");
        requireNonNull(task, "task is null");
    }

    public JobRequest spec()
    {
        return request.orElseThrow(() -> new IllegalStateException("job " + id + " was rejected and has no request"));
    }
}
