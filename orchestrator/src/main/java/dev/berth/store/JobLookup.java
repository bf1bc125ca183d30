package dev.berth.store;

import dev.berth.job.Job;

/** Finds the job a user named, by id or unambiguous prefix, or says clearly that there is none: for the CLI and the HTTP API alike. */
public final class JobLookup
{
    private JobLookup() {}

    public static Job find(JobReads reads, String idOrPrefix)
            throws AmbiguousJobIdException, UnknownJobException
    {
        return reads.find(idOrPrefix).orElseThrow(() -> new UnknownJobException(idOrPrefix));
    }
}
