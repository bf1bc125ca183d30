package dev.berth.daemon;

import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;
import dev.berth.time.Ticker;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Watch, the listing half: berth's snapshot of Swarm, one task listing for all of its jobs a round
 * and a node listing once a poll interval, and which node a task is on. Read and written by the
 * scheduling thread only.
 */
final class SwarmView
{
    private final Swarm swarm;
    private final String instanceId;
    private final String gpuKind;
    private final Duration pollInterval;
    private final Ticker ticker;

    private List<SwarmNode> nodes = List.of();
    private Map<String, SwarmNode> nodesById = Map.of();
    private Map<String, TaskSnapshot> tasks = Map.of();
    /** When, by the ticker, the nodes were last listed (a poll interval before the start, so that the first round lists them). */
    private long nodesListedAt;
    private long tasksListedAt;

    SwarmView(Swarm swarm, String instanceId, String gpuKind, Duration pollInterval, Ticker ticker)
    {
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.instanceId = requireNonNull(instanceId, "instanceId is null");
        this.gpuKind = requireNonNull(gpuKind, "gpuKind is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.tasksListedAt = ticker.read();
        this.nodesListedAt = tasksListedAt - pollInterval.toNanos();
    }

    /** Lists berth's tasks, and the nodes too when a poll interval has passed since they were: nodes change seldom. */
    void refresh()
    {
        if (ticker.read() - nodesListedAt >= pollInterval.toNanos()) {
            listNodes();
        }
        tasksListedAt = ticker.read();
        tasks = latestTaskPerService(swarm.tasks(instanceId));
    }

    private void listNodes()
    {
        nodesListedAt = ticker.read();
        nodes = swarm.nodes(gpuKind);
        nodesById = nodes.stream().collect(Collectors.toMap(SwarmNode::id, Function.identity()));
    }

    List<SwarmNode> nodes()
    {
        return nodes;
    }

    Optional<TaskSnapshot> task(String serviceName)
    {
        return Optional.ofNullable(tasks.get(serviceName));
    }

    /** Whether a task of berth's waits to start: it holds one of the pending cap's slots until berth sees it run. */
    boolean startsPending()
    {
        return tasks.values().stream().anyMatch(task -> !task.running() && !task.ended());
    }

    /**
     * The node a task is on. A node the last listing knew as lost, or not at all, is listed again when
     * that listing is older than the tasks': it may have come back or joined since and been given this
     * very task, which the older listing would have judged lost with it.
     */
    Optional<SwarmNode> nodeOf(TaskSnapshot task)
    {
        if (task.nodeId().isEmpty()) {
            return Optional.empty();
        }
        SwarmNode node = nodesById.get(task.nodeId().get());
        if ((node == null || node.losesTasks()) && nodesListedAt - tasksListedAt < 0) {
            listNodes();
            node = nodesById.get(task.nodeId().get());
        }
        return Optional.ofNullable(node);
    }

    /**
     * The node a task that ended or is being stopped is on, as Swarm has it now: listed again when the last
     * listing is older than the tasks'. A drain stops a job's task (and a job that takes its SIGTERM at once
     * ends) before the listing of nodes shows the drain, and the end would be taken for another's doing.
     */
    Optional<SwarmNode> currentNodeOf(TaskSnapshot task)
    {
        if (task.nodeId().isPresent() && nodesListedAt - tasksListedAt < 0) {
            listNodes();
        }
        return nodeOf(task);
    }

    /** The hostname of a node as last listed, without listing again. */
    Optional<String> hostname(String nodeId)
    {
        return Optional.ofNullable(nodesById.get(nodeId)).map(SwarmNode::hostname);
    }

    /** The node of that hostname (as attempts record their node) as last listed, without listing again: what an ended attempt is priced by. */
    Optional<SwarmNode> nodeNamed(String hostname)
    {
        return nodes.stream().filter(node -> node.hostname().equals(hostname)).findFirst();
    }

    private static Map<String, TaskSnapshot> latestTaskPerService(List<TaskSnapshot> tasks)
    {
        return tasks.stream().collect(Collectors.toMap(TaskSnapshot::serviceName, Function.identity(),
                (first, second) -> Comparator.comparing(TaskSnapshot::createdAt).compare(first, second) >= 0 ? first : second));
    }
}
