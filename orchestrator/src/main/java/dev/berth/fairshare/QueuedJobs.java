package dev.berth.fairshare;

import dev.berth.job.Claim;

import java.util.List;
import java.util.Optional;

/**
 * The queue as fair share reads it: by pool, then by user, each user's jobs in the order they go
 * (higher priority first, then first in, first out). The store answers each with index seeks, so a
 * round reads the users with queued jobs and the jobs of those it gets to, never the whole queue.
 */
public interface QueuedJobs
{
    /** The pools that have queued jobs; empty for the jobs that name none. */
    List<Optional<String>> pools();

    /** The users with queued jobs in the pool. */
    List<String> users(Optional<String> pool);

    /** The first in line of each of {@code users}' queued jobs in the pool (none for a user with none). */
    List<Claim> firstOf(Optional<String> pool, List<String> users);

    /** For each of {@code afters}, the next queued job of its user in the pool after it in line (none for a user with no more). */
    List<Claim> nextOf(Optional<String> pool, List<Claim> afters);
}
