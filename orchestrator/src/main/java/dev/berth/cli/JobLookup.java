package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.store.AmbiguousJobIdException;
import dev.berth.store.JobStore;

/** Finds the job a user named, by id or unambiguous prefix, or says clearly that there is none. */
final class JobLookup
{
    private JobLookup() {}

    static Job find(JobStore store, String idOrPrefix)
            throws AmbiguousJobIdException
    {
        return store.reads().find(idOrPrefix).orElseThrow(() -> new BerthCli.UserException(
                "no job '" + idOrPrefix + "' (see 'berth list'; a job sent a moment ago appears once the daemon has taken it off the queue)"));
    }
}
