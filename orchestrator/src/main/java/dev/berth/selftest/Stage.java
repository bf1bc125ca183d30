package dev.berth.selftest;

import dev.berth.job.Attempt;
import dev.berth.job.Job;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The points of a job's way through berth that the self-test times, in order, each read from the store. */
public enum Stage
{
    /** The daemon took the request off the queue and stored it. */
    QUEUED,
    /** Its commit was checked out, its image pinned and its run dir made: its first attempt was recorded. */
    PREPARED,
    /** Its container started. */
    RUNNING,
    /** It ended, whatever the outcome. */
    DONE;

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** When the job reached this stage; empty while it has not (or, having ended, never will). */
    public Optional<Instant> reachedAt(Job job, List<Attempt> attempts)
    {
        return switch (this) {
            case QUEUED -> Optional.of(job.receivedAt());
            case PREPARED -> first(attempts).map(Attempt::createdAt);
            case RUNNING -> job.startedAt();
            case DONE -> job.state().terminal() ? job.finishedAt() : Optional.empty();
        };
    }

    static Optional<Attempt> first(List<Attempt> attempts)
    {
        return attempts.stream().min(Comparator.comparingInt(Attempt::number));
    }
}
