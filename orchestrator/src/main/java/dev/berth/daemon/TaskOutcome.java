package dev.berth.daemon;

import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How an attempt ended, judged from its task and the node the task is on. This is where Swarm's
 * view becomes berth's cause classes, which decide whether a job is retried.
 */
record TaskOutcome(AttemptState state, Optional<Cause> cause, String reason, Optional<Integer> exitCode)
{
    TaskOutcome
    {
        requireNonNull(state, "state is null");
        requireNonNull(cause, "cause is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(exitCode, "exitCode is null");
    }

    static TaskOutcome interrupted(String reason)
    {
        return new TaskOutcome(AttemptState.INTERRUPTED, Optional.of(Cause.INFRA), "interrupted: " + reason, Optional.empty());
    }

    static TaskOutcome stopped(AttemptState state, Cause cause, String reason)
    {
        return new TaskOutcome(state, Optional.of(cause), reason, Optional.empty());
    }

    /**
     * The attempt's end, or empty while it lives. A task on a node that is down or drained has ended,
     * whatever state it still claims: Swarm never reschedules it and leaves it "running" for a day.
     */
    static Optional<TaskOutcome> judge(TaskSnapshot task, Optional<SwarmNode> node)
    {
        String where = node.map(value -> " on " + value.hostname()).orElse("");
        if (task.ended()) {
            return Optional.of(ended(task, where));
        }
        if (node.isPresent() && node.get().losesTasks()) {
            String what = node.get().availability().equals("drain") ? "was drained" : "went " + node.get().state();
            return Optional.of(interrupted("node " + node.get().hostname() + " " + what));
        }
        if (task.desiredState().equals("shutdown") || task.desiredState().equals("remove")) {
            return Optional.of(interrupted("Swarm is shutting its task down" + where));
        }
        return Optional.empty();
    }

    private static TaskOutcome ended(TaskSnapshot task, String where)
    {
        return switch (task.state()) {
            case "complete" -> new TaskOutcome(AttemptState.SUCCEEDED, Optional.empty(), "exited with code 0", Optional.of(0));
            case "failed" -> {
                // Swarm says "task: non-zero exit (N)" when the job's own process exited; any other error
                // (such as "starting container failed", reported with exit code 128) is the node's fault.
                Optional<Integer> exitCode = task.exitCode().filter(code -> code != 0 && task.error().startsWith("task: non-zero exit"));
                if (exitCode.isEmpty()) {
                    yield interrupted("task failed" + where + ": " + task.error());
                }
                String hint = exitCode.get() == 137 ? " (killed: out of memory, or stopped)" : "";
                yield new TaskOutcome(AttemptState.FAILED, Optional.of(Cause.EXIT), "exited with code " + exitCode.get() + hint, exitCode);
            }
            case "rejected" -> interrupted("rejected" + where + ": " + task.error());
            default -> interrupted("task " + task.state() + where);
        };
    }
}
