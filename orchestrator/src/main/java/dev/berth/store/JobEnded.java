package dev.berth.store;

import dev.berth.job.Attempt;
import dev.berth.job.Job;

import java.util.List;

/**
 * Called with a job's final record inside the transaction that ends it, before the commit. The
 * daemon writes the run dir's result files here, so anyone who sees the job ended in the store
 * (such as {@code berth submit --wait}) finds them already in place; a crash before the commit
 * leaves the job unended and the files are written again.
 */
@FunctionalInterface
public interface JobEnded
{
    JobEnded NOTHING = (job, attempts) -> {};

    void ended(Job job, List<Attempt> attempts);
}
