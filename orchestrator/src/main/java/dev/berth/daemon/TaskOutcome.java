package dev.berth.daemon;

import dev.berth.job.AttemptOutcome;
import dev.berth.job.Lifecycle;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;

import java.util.Optional;

/**
 * How an attempt ended, judged from its task and the node the task is on. This is where Swarm's
 * view becomes one of the state machine's attempt ends, whose cause decides whether a job is retried.
 */
final class TaskOutcome
{
    /** What the engine's local volume driver says when it cannot mount a volume, such as an attempt's overlay. */
    static final String VOLUME_MOUNT_FAILED = "failed to mount local volume";

    private TaskOutcome() {}

    /** Whether the task ended because its node could not mount its volume, which for berth's jobs is the work dir's overlay. */
    static boolean volumeMountFailed(TaskSnapshot task)
    {
        return task.ended() && !task.state().equals("complete") && task.error().contains(VOLUME_MOUNT_FAILED);
    }

    /**
     * The attempt's end, or empty while it lives. A task on a node that is down or drained has ended,
     * whatever state it still claims: Swarm never reschedules it and leaves it "running" for a day. On a
     * drain, Swarm itself stops the container (SIGTERM, then the service's stop grace).
     */
    static Optional<AttemptOutcome> judge(TaskSnapshot task, Optional<SwarmNode> node)
    {
        String where = node.map(value -> " on " + value.hostname()).orElse("");
        if (task.ended()) {
            // A job that stops on SIGTERM ends as soon as a drain stops it, often before berth sees the drain: its
            // end is the drain's doing, not its own failure, and must earn another attempt. Only a clean exit stands.
            if (!task.state().equals("complete") && node.isPresent() && node.get().losesTasks()) {
                return Optional.of(lost(node.get()));
            }
            return Optional.of(ended(task, where));
        }
        if (node.isPresent() && node.get().losesTasks()) {
            return Optional.of(lost(node.get()));
        }
        if (task.desiredState().equals("shutdown") || task.desiredState().equals("remove")) {
            return Optional.of(Lifecycle.interrupted("Swarm is shutting its task down" + where));
        }
        return Optional.empty();
    }

    /** Why a task on a node that loses its tasks ended: the spot notice or ill health its drain is labelled with, the drain, or the node's state. */
    private static AttemptOutcome lost(SwarmNode node)
    {
        if (node.drainedForSpotNotice()) {
            return Lifecycle.spotNotice(node.hostname());
        }
        if (node.drainedAsUnhealthy()) {
            return Lifecycle.nodeUnhealthy(node.hostname(), node.unhealthyReason());
        }
        if (node.availability().equals("drain")) {
            return Lifecycle.nodeDrained(node.hostname());
        }
        return Lifecycle.nodeLost(node.hostname(), node.state());
    }

    private static AttemptOutcome ended(TaskSnapshot task, String where)
    {
        if (volumeMountFailed(task)) {
            return Lifecycle.overlayUnmountable(where, task.error());
        }
        return switch (task.state()) {
            case "complete" -> Lifecycle.succeeded();
            case "failed" -> {
                // Swarm says "task: non-zero exit (N)" when the job's own process exited; any other error
                // (such as "starting container failed", reported with exit code 128) is the node's fault.
                Optional<Integer> exitCode = task.exitCode().filter(code -> code != 0 && task.error().startsWith("task: non-zero exit"));
                yield exitCode.map(Lifecycle::exited).orElseGet(() -> Lifecycle.interrupted("task failed" + where + ": " + task.error()));
            }
            case "rejected" -> Lifecycle.interrupted("rejected" + where + ": " + task.error());
            default -> Lifecycle.interrupted("task " + task.state() + where);
        };
    }
}
