package dev.berth.daemon;

import dev.berth.config.Durations;
import dev.berth.job.Attempt;
import dev.berth.job.Claim;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Holds a job's next attempt back while the container of the attempt before it is still stopping. An
 * attempt ends the moment berth sees its node drained (a spot notice), but its container then has
 * SIGTERM and its {@code stop_grace} to save a checkpoint: the next attempt starts once that container is
 * gone, so it resumes from the last checkpoint rather than racing the save. Swarm lists a removed
 * service's task until its container has stopped. A node that is down (the instance reclaimed) holds
 * nothing back, and neither does a container still there past its grace and a margin, which the engine
 * has killed or lost. Reads the last listing: the scheduling thread's only.
 */
final class PreviousAttemptStop
{
    private static final Logger log = LoggerFactory.getLogger(PreviousAttemptStop.class);
    /** Beyond the grace: time for the node's agent to kill the container and tell the manager it is gone. */
    static final Duration MARGIN = Duration.ofSeconds(10);

    private final JobStore store;
    private final SwarmView view;
    private final Clock clock;
    /** The reason last noted for each job held back, so it is written once, not every round. */
    private final Map<String, String> noted = new HashMap<>();

    PreviousAttemptStop(JobStore store, SwarmView view, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.view = requireNonNull(view, "view is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Whether the job's next attempt must wait for its previous one's container; noted as the job's reason while it does. */
    boolean holdsBack(Claim claim)
    {
        Optional<String> reason = reasonToWait(claim);
        if (reason.isEmpty()) {
            noted.remove(claim.jobId());
            return false;
        }
        if (!reason.get().equals(noted.put(claim.jobId(), reason.get()))) {
            store.writes().noteReason(claim.jobId(), JobState.PREPARING, reason.get());
            log.info("Job {}: {}", claim.jobId(), reason.get());
        }
        return true;
    }

    private Optional<String> reasonToWait(Claim claim)
    {
        int previous = claim.attempts();
        if (previous == 0) {
            return Optional.empty();
        }
        Optional<TaskSnapshot> task = view.task(Swarm.serviceName(claim.jobId(), previous));
        if (task.isEmpty() || task.get().ended()) {
            return Optional.empty();
        }
        Optional<SwarmNode> node = view.nodeOf(task.get());
        if (node.isPresent() && !node.get().state().equals("ready")) {
            // Down or out of touch: whatever runs there is beyond reach, and waiting would not bring it back
            return Optional.empty();
        }
        Attempt ended = store.reads().attempts(claim.jobId()).get(previous - 1);
        Duration grace = store.reads().job(claim.jobId()).orElseThrow().spec().stopGrace();
        Instant now = clock.instant();
        if (ended.finishedAt().isPresent() && now.isAfter(ended.finishedAt().get().plus(grace).plus(MARGIN))) {
            if (noted.containsKey(claim.jobId())) {
                log.warn("Job {}: attempt {}'s container still runs {} after its stop grace of {}; starting attempt {} anyway", claim.jobId(), previous,
                        Durations.format(MARGIN), Durations.format(grace), previous + 1);
            }
            return Optional.empty();
        }
        String where = node.map(SwarmNode::hostname).map(host -> " on " + host).orElse("");
        return Optional.of("waiting for attempt " + previous + "'s container" + where + " to stop (SIGTERM, then up to its stop_grace of "
                + Durations.format(grace) + ", to save its work), so that attempt " + (previous + 1) + " starts from its last checkpoint");
    }
}
