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
    private TaskOutcome() {}

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
