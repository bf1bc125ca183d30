package dev.berth.store;

import dev.berth.job.ArraySummary;
import dev.berth.job.ArrayTask;
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

/**
 * Finds the job or array a user named, by id or unambiguous prefix (an array's task by its id or as
 * {@code ARRAY:INDEX}), or says clearly that there is none: for the CLI and the HTTP API alike.
 */
public final class JobLookup
{
    private JobLookup() {}

    public static Job find(JobReads reads, String idOrPrefix)
            throws AmbiguousJobIdException, UnknownJobException
    {
        return reads.find(idOrPrefix).orElseThrow(() -> new UnknownJobException(idOrPrefix));
    }

    /** One job, for a command that acts on one: an array's id is refused, with how to name one of its tasks. */
    public static Job find(JobStore store, String idOrPrefix)
            throws AmbiguousJobIdException, UnknownJobException
    {
        Named named = named(store, idOrPrefix);
        if (named instanceof Named.WholeArray whole) {
            throw UnknownJobException.arrayNotJob(idOrPrefix, whole.array());
        }
        return ((Named.OneJob) named).job();
    }

    /**
     * What the id names, for a command that acts on a job or on an array as a whole: a job's or an array's whole id
     * first, then a prefix of one of them, which must be of one only.
     */
    public static Named named(JobStore store, String idOrPrefix)
            throws AmbiguousJobIdException, UnknownJobException
    {
        String id = ArrayTask.normalize(idOrPrefix);
        Optional<Job> exact = store.reads().job(id);
        if (exact.isPresent()) {
            return new Named.OneJob(exact.get());
        }
        Optional<ArraySummary> exactArray = store.arrays().array(id);
        if (exactArray.isPresent()) {
            return new Named.WholeArray(exactArray.get());
        }
        Optional<Job> job = store.reads().find(id);
        Optional<ArraySummary> array = store.arrays().find(id);
        if (job.isPresent() && array.isPresent()) {
            throw new AmbiguousJobIdException(idOrPrefix, List.of(job.get().id(), array.get().id()));
        }
        if (job.isPresent()) {
            return new Named.OneJob(job.get());
        }
        return new Named.WholeArray(array.orElseThrow(() -> new UnknownJobException(idOrPrefix)));
    }

    /** A job (perhaps one task of an array), or an array as a whole. */
    public sealed interface Named
    {
        record OneJob(Job job)
                implements Named {}

        record WholeArray(ArraySummary array)
                implements Named {}
    }

    /**
     * The request with each job it waits for named by its whole id, as intake stores it: refused, naming each,
     * when one is no job berth knows, a prefix of several, or (by two prefixes) the same job twice.
     */
    public static JobRequest withDependenciesFound(JobStore store, JobRequest request)
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
                // An array is waited for as a whole: all its tasks
                Named named = named(store, dependency.jobId());
                String id = named instanceof Named.OneJob one ? one.job().id() : ((Named.WholeArray) named).array().id();
                if (!ids.add(id)) {
                    problems.add(RequestProblem.about(field, field + " names job " + id + " twice: give each job once"));
                }
                else {
                    found.add(new Dependency(id, dependency.kind()));
                }
            }
            catch (UnknownJobException e) {
                problems.add(RequestProblem.about(field, field + " names job '" + dependency.jobId()
                        + "', which berth does not know: give the id (or an unambiguous prefix) of a job or array stored before this one"));
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
