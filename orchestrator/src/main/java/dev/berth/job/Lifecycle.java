package dev.berth.job;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.berth.job.AttemptState.CANCELLED;
import static dev.berth.job.AttemptState.FAILED;
import static dev.berth.job.AttemptState.INTERRUPTED;
import static dev.berth.job.AttemptState.PENDING;
import static dev.berth.job.AttemptState.RUNNING;
import static dev.berth.job.AttemptState.SUBMITTING;
import static dev.berth.job.AttemptState.SUCCEEDED;
import static dev.berth.job.AttemptState.TIMED_OUT;
import static java.util.Map.entry;

/**
 * The one state machine of a job and its attempts. Every state change in berth goes through
 * {@link #check(JobState, JobState)} or {@link #check(AttemptState, AttemptState)}; the store calls
 * them inside the transaction that makes the change, so an illegal move is refused, never written.
 *
 * <pre>
 * job:     QUEUED → PREPARING → SUBMITTED → RUNNING → SUCCEEDED | FAILED | TIMED_OUT | CANCELLED
 *          (REJECTED is only ever inserted; an interrupted attempt, or one that exited with a code in
 *          retry_exit_codes, sends its job back to QUEUED while attempts remain)
 * attempt: SUBMITTING → PENDING → RUNNING → SUCCEEDED | FAILED | INTERRUPTED | TIMED_OUT | CANCELLED
 * </pre>
 */
public final class Lifecycle
{
    private static final Map<JobState, Set<JobState>> JOB_MOVES = Map.ofEntries(
            // FAILED straight from QUEUED: the job can never fit any node.
            entry(JobState.QUEUED, EnumSet.of(JobState.PREPARING, JobState.FAILED, JobState.CANCELLED)),
            // QUEUED again: preparation hit a passing infrastructure fault, or berth restarted mid-way.
            entry(JobState.PREPARING, EnumSet.of(JobState.SUBMITTED, JobState.QUEUED, JobState.FAILED, JobState.CANCELLED)),
            // Terminal states straight from SUBMITTED: a short job can start and end between two polls.
            entry(JobState.SUBMITTED, EnumSet.of(JobState.RUNNING, JobState.QUEUED, JobState.SUCCEEDED, JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED)),
            entry(JobState.RUNNING, EnumSet.of(JobState.QUEUED, JobState.SUCCEEDED, JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED)),
            entry(JobState.SUCCEEDED, EnumSet.noneOf(JobState.class)),
            entry(JobState.FAILED, EnumSet.noneOf(JobState.class)),
            entry(JobState.TIMED_OUT, EnumSet.noneOf(JobState.class)),
            entry(JobState.CANCELLED, EnumSet.noneOf(JobState.class)),
            entry(JobState.REJECTED, EnumSet.noneOf(JobState.class)));

    private static final Map<AttemptState, Set<AttemptState>> ATTEMPT_MOVES = Map.ofEntries(
            entry(SUBMITTING, EnumSet.of(PENDING, FAILED, INTERRUPTED, CANCELLED)),
            entry(PENDING, EnumSet.of(RUNNING, SUCCEEDED, FAILED, INTERRUPTED, TIMED_OUT, CANCELLED)),
            entry(RUNNING, EnumSet.of(SUCCEEDED, FAILED, INTERRUPTED, TIMED_OUT, CANCELLED)),
            entry(SUCCEEDED, EnumSet.noneOf(AttemptState.class)),
            entry(FAILED, EnumSet.noneOf(AttemptState.class)),
            entry(INTERRUPTED, EnumSet.noneOf(AttemptState.class)),
            entry(TIMED_OUT, EnumSet.noneOf(AttemptState.class)),
            entry(CANCELLED, EnumSet.noneOf(AttemptState.class)));

    private Lifecycle() {}

    public static void check(JobState from, JobState to)
    {
        if (!JOB_MOVES.get(from).contains(to)) {
            throw new IllegalTransitionException("job cannot move from " + from + " to " + to);
        }
    }

    public static void check(AttemptState from, AttemptState to)
    {
        if (!ATTEMPT_MOVES.get(from).contains(to)) {
            throw new IllegalTransitionException("attempt cannot move from " + from + " to " + to);
        }
    }

    /**
     * The job state that follows attempt number {@code attempt} ending in {@code end}: its final state, or
     * QUEUED for another attempt when the end is {@link #retryable} and fewer than {@code maxAttempts} have run.
     *
     * @param cause why the attempt failed; null when it did not
     * @param exitCode the job's own exit code, when it has one
     * @param retryExitCodes the request's {@code retry_exit_codes}
     */
    public static JobState jobAfter(AttemptState end, Cause cause, Optional<Integer> exitCode, Set<Integer> retryExitCodes, int attempt, int maxAttempts)
    {
        return switch (end) {
            case SUCCEEDED -> JobState.SUCCEEDED;
            case TIMED_OUT -> JobState.TIMED_OUT;
            case CANCELLED -> JobState.CANCELLED;
            case FAILED, INTERRUPTED -> retryable(end, cause, exitCode, retryExitCodes) && attempt < maxAttempts ? JobState.QUEUED : JobState.FAILED;
            default -> throw new IllegalArgumentException("attempt has not ended: " + end);
        };
    }

    /**
     * Whether an attempt ending so earns its job another attempt, if any remain: an interruption or an
     * infrastructure failure always does; a failure by the job's own exit code only when the request
     * lists that code, since most jobs that exit non-zero would fail the same way again.
     */
    public static boolean retryable(AttemptState end, Cause cause, Optional<Integer> exitCode, Set<Integer> retryExitCodes)
    {
        return switch (end) {
            case INTERRUPTED -> true;
            case FAILED -> cause == Cause.INFRA || cause == Cause.EXIT && exitCode.filter(retryExitCodes::contains).isPresent();
            default -> false;
        };
    }
}
