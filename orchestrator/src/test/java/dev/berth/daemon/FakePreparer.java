package dev.berth.daemon;

import dev.berth.job.Job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Preparation without git or a disk: every job's commit is {@link #COMMIT} and its image is pinned to a
 * fixed digest, unless a test says the request is bad or the infrastructure fails for a job.
 */
final class FakePreparer
        implements Preparer
{
    static final String COMMIT = "c0ffee".repeat(6) + "c0ff";
    static final String IMAGE_REF = "berth-local/busybox@sha256:" + "0".repeat(64);

    private final Map<String, String> requestProblems = new HashMap<>();
    private final Map<String, Integer> faultsLeft = new HashMap<>();
    private final List<String> prepared = new ArrayList<>();

    /** The job's request cannot run: preparing it fails with {@code problem}, for good. */
    synchronized void badRequest(String jobId, String problem)
    {
        requestProblems.put(jobId, problem);
    }

    /** The next {@code times} preparations of the job fail for a reason not the job's own. */
    synchronized void infrastructureFault(String jobId, int times)
    {
        faultsLeft.put(jobId, times);
    }

    /** Each preparation, as "job#attempt", in order. */
    synchronized List<String> prepared()
    {
        return List.copyOf(prepared);
    }

    @Override
    public synchronized Prepared prepare(Job job, int attempt)
            throws RequestProblem, IOException
    {
        if (requestProblems.containsKey(job.id())) {
            throw new RequestProblem(requestProblems.get(job.id()));
        }
        if (faultsLeft.getOrDefault(job.id(), 0) > 0) {
            faultsLeft.merge(job.id(), -1, Integer::sum);
            throw new IOException("disk full");
        }
        prepared.add(job.id() + "#" + attempt);
        return new Prepared(IMAGE_REF, COMMIT);
    }
}
