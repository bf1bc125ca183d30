package dev.berth.job;

import dev.berth.config.Durations;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.berth.job.AttemptState.CANCELLED;
import static dev.berth.job.AttemptState.FAILED;
import static dev.berth.job.AttemptState.INTERRUPTED;
import static dev.berth.job.AttemptState.PENDING;
import static dev.berth.job.AttemptState.RUNNING;
import static dev.berth.job.AttemptState.SUBMITTING;
import static dev.berth.job.AttemptState.SUCCEEDED;
import static dev.berth.job.AttemptState.TIMED_OUT;
import static java.util.Map.entry;
import static java.util.Objects.requireNonNull;

/**
 * The one state machine of a job and its attempts: which moves are allowed, and for each event in a
 * job's life (admission, cancel, a preparation fault, an attempt's end by exit, timeout, interruption
 * or cancel) which move it takes, with which cause and reason. Every state change in berth goes
 * through {@link #check(JobState, JobState)} or {@link #check(AttemptState, AttemptState)}; the store
 * calls them inside the transaction that makes the change, so an illegal move is refused, never written.
 *
 * <pre>
 * job:     [WAITING →] QUEUED → PREPARING → SUBMITTED → RUNNING → SUCCEEDED | FAILED | TIMED_OUT | CANCELLED
 *          (WAITING, until its dependencies have ended, or CANCELLED from there when one it needed to succeed did not;
 *          an array's task also WAITING while its array's %LIMIT of tasks are queued or running)
 *          (REJECTED is only ever inserted; an interrupted attempt, or one that exited with a code in
 *          retry_exit_codes, sends its job back to QUEUED while attempts remain)
 * attempt: SUBMITTING → PENDING → RUNNING → SUCCEEDED | FAILED | INTERRUPTED | TIMED_OUT | CANCELLED
 * </pre>
 */
public final class Lifecycle
{
    /**
     * How often one job's preparation may fail for reasons not its own before the job fails with cause
     * infra: 10 s doubling to 160 s between tries, about five minutes in all, rides out a passing fault
     * without retrying a lasting one forever.
     */
    public static final int PREPARATION_TRIES = 6;
    /** How long berth waits before it asks the engine again about a job it could not hand over. */
    public static final Duration INFRA_BACKOFF = Duration.ofSeconds(10);

    private static final Map<JobState, Set<JobState>> JOB_MOVES = Map.ofEntries(
            entry(JobState.WAITING, EnumSet.of(JobState.QUEUED, JobState.CANCELLED)),
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

    // Events of a job that has no live attempt: the move each takes, and the reason it records.

    /** A queued job is taken for preparation; what it waited for no longer applies. */
    public static JobMove admitted()
    {
        return new JobMove(JobState.QUEUED, JobState.PREPARING, Optional.empty(), Optional.empty());
    }

    /** A cancel of a queued job, asked by the CLI or found by the daemon: the same move and words either way. */
    public static JobMove cancelledWhileQueued()
    {
        return new JobMove(JobState.QUEUED, JobState.CANCELLED, Optional.of(Cause.CANCELLED), Optional.of("cancelled on request while queued"));
    }

    /** A cancel of a job still waiting for its dependencies, asked by the CLI: its dependents are settled again, as after any end. */
    public static JobMove cancelledWhileWaiting()
    {
        return new JobMove(JobState.WAITING, JobState.CANCELLED, Optional.of(Cause.CANCELLED), Optional.of("cancelled on request while waiting"));
    }

    /**
     * What a waiting job does now that its dependencies stand so ({@code states}, by id; a job missing from it
     * is no longer in the store): decided when it is stored, and again in the transaction that ends any of them.
     * Cancelled, naming the first, when one it waits for {@code after} ended other than SUCCEEDED (its own
     * dependents are then settled in turn, so a failure cascades); queued, in the place in line it was received
     * in, once all have ended as it needs; else it waits on (empty).
     */
    public static Optional<JobMove> dependenciesSettled(List<Dependency> dependencies, Map<String, JobState> states)
    {
        boolean allEnded = true;
        for (Dependency dependency : dependencies) {
            JobState state = states.get(dependency.jobId());
            if (state == null && dependency.kind() == Dependency.Kind.AFTER) {
                return Optional.of(new JobMove(JobState.WAITING, JobState.CANCELLED, Optional.of(Cause.CANCELLED),
                        Optional.of("dependency " + dependency.jobId() + " is no longer known (purged), so it cannot be known to have succeeded")));
            }
            if (state != null && state.terminal() && state != JobState.SUCCEEDED && dependency.kind() == Dependency.Kind.AFTER) {
                return Optional.of(new JobMove(JobState.WAITING, JobState.CANCELLED, Optional.of(Cause.CANCELLED),
                        Optional.of("dependency " + dependency.jobId() + " failed: it ended " + state)));
            }
            // A purged after_any dependency had ended, or it could not have been purged
            allEnded &= state == null || state.terminal();
        }
        return allEnded ? Optional.of(new JobMove(JobState.WAITING, JobState.QUEUED, Optional.empty(), Optional.empty())) : Optional.empty();
    }

    /**
     * Why an array's task waits though it needs nothing else: {@code limit} of its array's tasks are queued or
     * running already. It is out of admission's line, WAITING, until one of them ends ({@link #arrayPlaceFreed}).
     */
    public static String heldByArrayLimit(String arrayId, int limit)
    {
        return "waiting for a place: array " + arrayId + " runs at most " + limit + " tasks at once (%" + limit + ")";
    }

    /** A task held by its array's limit, queued in the place an ended task of the array left. */
    public static JobMove arrayPlaceFreed()
    {
        return new JobMove(JobState.WAITING, JobState.QUEUED, Optional.empty(), Optional.empty());
    }

    /**
     * The state of an array as a whole, from how many of its tasks are in each state: live while any task is
     * (RUNNING if any is on its way or running, else QUEUED if any is queued, else WAITING); once all have ended,
     * SUCCEEDED only if all succeeded, else the worst end among them (FAILED, then TIMED_OUT, then CANCELLED).
     * A job that waits for an array, and {@code submit --wait} of one, go by this.
     */
    public static JobState arrayState(Map<JobState, Integer> counts)
    {
        for (JobState state : List.of(JobState.RUNNING, JobState.SUBMITTED, JobState.PREPARING)) {
            if (counts.getOrDefault(state, 0) > 0) {
                return JobState.RUNNING;
            }
        }
        for (JobState state : List.of(JobState.QUEUED, JobState.WAITING, JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED, JobState.REJECTED)) {
            if (counts.getOrDefault(state, 0) > 0) {
                return state == JobState.REJECTED ? JobState.FAILED : state;
            }
        }
        return JobState.SUCCEEDED;
    }

    /** What a waiting job waits for, for {@code berth status}: each dependency not yet ended, with its state. */
    public static String waitingFor(List<DependencyState> dependencies)
    {
        return dependencies.stream().filter(DependencyState::live)
                .map(dependency -> dependency.dependency().jobId() + " (" + dependency.state().orElseThrow() + ")")
                .collect(Collectors.joining(", "));
    }

    public static JobMove cancelledWhilePreparing()
    {
        return new JobMove(JobState.PREPARING, JobState.CANCELLED, Optional.of(Cause.CANCELLED), Optional.of("cancelled on request while preparing"));
    }

    /** No node of the job's pool, nor its instance type, could ever hold it: waiting would be forever, and shrinking it would be wrong. */
    public static JobMove neverFits(String why)
    {
        return new JobMove(JobState.QUEUED, JobState.FAILED, Optional.of(Cause.REQUEST), Optional.of(why));
    }

    /** Why a queued job that would fit now waits: as many of berth's tasks as the pending cap allows wait in Swarm already. */
    public static String pendingCapReached()
    {
        return "pending cap reached";
    }

    /** Why a queued job waits that a node of its pool could hold once jobs running there end. */
    public static String waitingForRoom(Resources asked)
    {
        return "waiting for a node with room for " + asked;
    }

    /** Why a queued job waits when its pool (or, naming none, the swarm) has no node and no pool types are known to say more. */
    public static String waitingForAnyNode(Optional<String> pool)
    {
        return pool.map(name -> "no node in pool '" + name + "' yet").orElse("no nodes in the swarm");
    }

    /** Why a job fails that no node of its pool could hold, even empty (with {@link #neverFits}): the largest node, and what that has. */
    public static String noNodeHolds(Resources asked, Optional<String> pool, String largestNode, Resources has)
    {
        return "no node can ever hold this job: it asks for " + asked + " but the largest node" + pool.map(name -> " in pool '" + name + "'").orElse("")
                + ", " + largestNode + ", has " + has;
    }

    /**
     * Why a queued job waits when a pool whose instance type would hold it has no node up: the fleet has
     * only to grow that pool, for which {@code scaleVariables} (pool to Terraform variable) says how, unless
     * berth grows it itself ({@code autoscaled}, the pools in {@code BERTH_AUTOSCALE}).
     */
    public static String waitingForPoolNode(List<String> pools, Map<String, String> scaleVariables, Set<String> autoscaled)
    {
        String reason = "waiting for a node in pool " + String.join(" or ", pools) + ": none running";
        List<String> hints = pools.stream().filter(scaleVariables::containsKey)
                .map(pool -> "`terraform apply -var " + scaleVariables.get(pool) + "=N`" + (pools.size() > 1 ? " (" + pool + ")" : ""))
                .toList();
        String hinted = hints.isEmpty() ? reason : reason + "; scale with " + String.join(" or ", hints);
        if (pools.stream().noneMatch(autoscaled::contains)) {
            return hinted;
        }
        return hinted + (hints.isEmpty() ? "; " : ", or ") + "autoscaling will add one";
    }

    /** Why a job fails that no pool's instance type could hold (with {@link #neverFits}): the largest of those it could use, and what that has. */
    public static String noInstanceTypeHolds(Resources asked, String instanceType, String pool, Resources has)
    {
        return "no instance type of the fleet can ever hold this job: it asks for " + asked + " but the largest it could use, "
                + instanceType + " of pool '" + pool + "', has " + has;
    }

    /** Why a job fails that names a pool the fleet does not have (with {@link #neverFits}). */
    public static String noSuchPool(String pool, List<String> pools)
    {
        return "the fleet has no pool '" + pool + "': its pools are " + String.join(", ", pools);
    }

    /** The request itself cannot run (bad branch, unreachable repository, missing entrypoint, unknown image): never retried. */
    public static JobMove requestProblem(String problem)
    {
        return new JobMove(JobState.PREPARING, JobState.FAILED, Optional.of(Cause.REQUEST), Optional.of(problem));
    }

    /** berth stopped while preparing the job: no fault of the job's, so it is prepared again. */
    public static JobMove restartedWhilePreparing()
    {
        return new JobMove(JobState.PREPARING, JobState.QUEUED, Optional.empty(), Optional.of("berth restarted while preparing it"));
    }

    /**
     * The {@code failures}-th fault not of the job's own (the disk, a corrupt mirror, the engine) before its
     * service exists: back to the queue for another try after {@link #preparationBackoff}, and failed with
     * cause infra after {@link #PREPARATION_TRIES}.
     */
    public static JobMove preparationFault(int failures, String problem)
    {
        if (failures >= PREPARATION_TRIES) {
            return new JobMove(JobState.PREPARING, JobState.FAILED, Optional.of(Cause.INFRA),
                    Optional.of("preparation failed " + failures + " times for reasons not the job's own; the last: " + problem));
        }
        return new JobMove(JobState.PREPARING, JobState.QUEUED, Optional.empty(), Optional.of("preparation failed (try " + failures + " of "
                + PREPARATION_TRIES + "), retrying in " + Durations.format(preparationBackoff(failures)) + ": " + problem));
    }

    public static Duration preparationBackoff(int failures)
    {
        return INFRA_BACKOFF.multipliedBy(1L << (failures - 1));
    }

    // Events that end an attempt: its final state, cause and reason.

    public static AttemptOutcome succeeded()
    {
        return new AttemptOutcome(SUCCEEDED, Optional.empty(), "exited with code 0", Optional.of(0));
    }

    /** The job's own process exited non-zero: its fault, retried only when the request lists the code. */
    public static AttemptOutcome exited(int exitCode)
    {
        String hint = exitCode == 137 ? " (killed: out of memory, or stopped)" : "";
        return new AttemptOutcome(FAILED, Optional.of(Cause.EXIT), "exited with code " + exitCode + hint, Optional.of(exitCode));
    }

    /** The attempt was lost with its node, or its task failed for a reason not the job's: always earns another attempt. */
    public static AttemptOutcome interrupted(String what)
    {
        return new AttemptOutcome(INTERRUPTED, Optional.of(Cause.INFRA), "interrupted: " + what, Optional.empty());
    }

    /** The attempt's node went down or lost touch with the manager ({@code state}): the container is gone, or out of reach. */
    public static AttemptOutcome nodeLost(String node, String state)
    {
        return interrupted("node " + node + " went " + state);
    }

    /** The attempt's node was drained (by an operator, or an idle burst worker leaving): Swarm stops its container. */
    public static AttemptOutcome nodeDrained(String node)
    {
        return interrupted("node " + node + " was drained");
    }

    /**
     * The attempt's node was drained because AWS gave its spot instance notice (about two minutes): Swarm
     * stops the container with SIGTERM and its stop_grace, so the job can save a checkpoint, and the job is
     * retried elsewhere.
     */
    public static AttemptOutcome spotNotice(String node)
    {
        return interrupted("spot interruption notice on " + node);
    }

    /**
     * The attempt's node was drained because its agent found it unhealthy ({@code reason}, such as a GPU's
     * uncorrectable ECC errors): Swarm stops the container with its stop_grace, and the job is retried elsewhere.
     */
    public static AttemptOutcome nodeUnhealthy(String node, Optional<String> reason)
    {
        return interrupted("node " + node + " was drained as unhealthy" + reason.map(why -> ": " + why).orElse(""));
    }

    /**
     * The attempt's worker could not mount the overlay that gives the job its own view of the commit's
     * snapshot ({@code error} is the engine's): not the job's fault, and its next attempt gets a full checkout.
     */
    public static AttemptOutcome overlayUnmountable(String where, String error)
    {
        return interrupted("the worker" + where + " could not mount the job's overlay of its commit, so its next attempt runs on a full checkout: " + error);
    }

    public static AttemptOutcome serviceDisappeared(String serviceName)
    {
        return interrupted("its service " + serviceName + " disappeared");
    }

    public static AttemptOutcome cancelledOnRequest()
    {
        return new AttemptOutcome(CANCELLED, Optional.of(Cause.CANCELLED), "cancelled on request", Optional.empty());
    }

    public static AttemptOutcome timedOut(Duration timeout)
    {
        return new AttemptOutcome(TIMED_OUT, Optional.of(Cause.TIMEOUT), "ran longer than its timeout of " + Durations.format(timeout), Optional.empty());
    }

    /** Swarm refused the service itself (a client error): the request's fault, so it is not retried. */
    public static AttemptOutcome refusedBySwarm(String message)
    {
        return new AttemptOutcome(FAILED, Optional.of(Cause.REQUEST), "Swarm refused the job's service: " + message, Optional.empty());
    }

    /** The image's registry would not let berth have it, with the credentials berth has: the request's fault, so it is not retried. */
    public static AttemptOutcome registryRefused(String message)
    {
        return new AttemptOutcome(FAILED, Optional.of(Cause.REQUEST), message, Optional.empty());
    }

    /**
     * The move of a job whose attempt number {@code attempt} ended so, from {@code from} (where its attempt
     * left it): its final state, or QUEUED for another attempt when the end is {@link #retryable} and fewer
     * than the request's {@code max_attempts} have run.
     */
    public static JobMove afterAttempt(JobState from, AttemptOutcome end, int attempt, JobRequest request)
    {
        requireNonNull(end, "end is null");
        Cause cause = end.cause().orElse(null);
        JobState next = jobAfter(end.state(), cause, end.exitCode(), request.retryExitCodes(), attempt, request.maxAttempts());
        if (next == JobState.QUEUED) {
            // Only a listed exit code sends a job that failed by its own exit back to the queue.
            String why = cause == Cause.EXIT ? " (" + end.exitCode().orElseThrow() + " is in retry_exit_codes)" : "";
            return new JobMove(from, next, Optional.empty(),
                    Optional.of("attempt " + attempt + " of " + request.maxAttempts() + " " + end.reason() + "; retrying" + why));
        }
        String reason = retryable(end.state(), cause, end.exitCode(), request.retryExitCodes())
                ? end.reason() + " (attempt " + attempt + " of " + request.maxAttempts() + ", none left)"
                : end.reason();
        return new JobMove(from, next, end.cause(), Optional.of(reason));
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
