package dev.berth.store;

import dev.berth.job.Dependency;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.job.RequestProblem;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Finds the job a user named, by id or unambiguous prefix, or says clearly that there is none: for the CLI and the HTTP API alike. */
public final class JobLookup
{
    private JobLookup() {}

    public static Job find(JobReads reads, String idOrPrefix)
            throws AmbiguousJobIdException, UnknownJobException
    {
        return reads.find(idOrPrefix).orElseThrow(() -> new UnknownJobException(idOrPrefix));
    }

    /**
     * The request with each job it waits for named by its whole id, as intake stores it: refused, naming each,
     * when one is no job berth knows, a prefix of several, or (by two prefixes) the same job twice.
     */
    public static JobRequest withDependenciesFound(JobReads reads, JobRequest request)
            throws InvalidRequestException
    {
        if (request.dependencies().isEmpty()) {
            return request;
        }
        List<Dependency> found = new ArrayList<>();
        List<RequestProblem> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Dependency dependency : request.dependencies()) {
            String field = dependency.kind().field();
            try {
                Optional<Job> job = reads.find(dependency.jobId());
                if (job.isEmpty()) {
                    problems.add(RequestProblem.about(field, field + " names job '" + dependency.jobId()
                            + "', which berth does not know: give the id (or an unambiguous prefix) of a job stored before this one"));
                }
                else if (!ids.add(job.get().id())) {
                    problems.add(RequestProblem.about(field, field + " names job " + job.get().id() + " twice: give each job once"));
                }
                else {
                    found.add(new Dependency(job.get().id(), dependency.kind()));
                }
            }
            catch (AmbiguousJobIdException e) {
                problems.add(RequestProblem.about(field, field + ": " + e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return request.withDependencies(found);
    }
}
