package dev.berth.fleet;

/** Something about a worker an operator should look at. */
public enum WorkerFlag
{
    STALE_HEARTBEAT("heartbeat older than the stale limit: agent stopped, host hung, or shared mount lost"),
    MISSING_HEARTBEAT("in the swarm but no heartbeat file: agent not installed or never started"),
    UNREADABLE_HEARTBEAT("heartbeat file cannot be read"),
    NOT_IN_SWARM("heartbeat present but the swarm does not list the node: it never joined or was removed"),
    NODE_DOWN("swarm reports the node down or disconnected"),
    DOCKER_UNREACHABLE("the agent cannot reach dockerd, so its job list is unknown"),
    UNHEALTHY("its agent found its GPUs unhealthy: drained, and reported to its Auto Scaling group to be replaced");

    private final String meaning;

    WorkerFlag(String meaning)
    {
        this.meaning = meaning;
    }

    public String meaning()
    {
        return meaning;
    }
}
