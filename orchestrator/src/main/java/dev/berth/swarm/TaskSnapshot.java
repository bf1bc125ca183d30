package dev.berth.swarm;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One Swarm task of one of berth's services, as a single {@code GET /tasks} reported it.
 *
 * @param state Swarm's task state: new, pending, assigned, accepted, preparing, starting, running,
 * complete, failed, shutdown, rejected, orphaned, remove
 * @param since when the task entered {@code state}
 */
public record TaskSnapshot(
        String serviceName,
        Optional<String> nodeId,
        String state,
        String desiredState,
        Optional<Integer> exitCode,
        String error,
        Instant createdAt,
        Instant since)
{
    public TaskSnapshot
    {
        requireNonNull(serviceName, "serviceName is null");
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(state, "state is null");
        requireNonNull(desiredState, "desiredState is null");
        requireNonNull(exitCode, "exitCode is null");
        requireNonNull(error, "error is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(since, "since is null");
    }

    public boolean ended()
    {
        return switch (state) {
            case "complete", "failed", "shutdown", "rejected", "orphaned", "remove" -> true;
            default -> false;
        };
    }

    public boolean running()
    {
        return state.equals("running");
    }
}
