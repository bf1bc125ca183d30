package dev.berth.swarm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the Engine API's ServiceSpec JSON for one attempt. */
final class ServiceSpecs
{
    /**
     * 0444: readable by every user of the container. The file is root's and lives in the container's own
     * tmpfs, so the only readers are the job's processes, and an image that runs as a non-root user
     * could not read 0400 (measured on Engine 20.10: "Permission denied" as uid 65534).
     */
    static final int SECRET_FILE_MODE = 0444;

    private ServiceSpecs() {}

    /** The spec, with each secret the request names referred to by its id in {@code secretIds}: Swarm takes both, and never a value. */
    static Map<String, Object> toJson(ServiceRequest request, Map<String, String> secretIds)
    {
        Map<String, Object> containerSpec = new LinkedHashMap<>();
        containerSpec.put("Image", request.image());
        containerSpec.put("Command", request.command());
        containerSpec.put("Env", request.env().entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue()).sorted().toList());
        containerSpec.put("Dir", request.workDir().toString());
        containerSpec.put("Labels", request.labels());
        // An init process as PID 1 passes SIGTERM on to the job: a shell entrypoint with no trap of its own, as
        // PID 1, would ignore it and lose its work to the SIGKILL at the end of the grace period
        containerSpec.put("Init", true);
        containerSpec.put("StopSignal", "SIGTERM");
        containerSpec.put("StopGracePeriod", request.stopGrace().toNanos());
        List<Map<String, Object>> mounts = new ArrayList<>();
        for (ServiceRequest.Mount mount : request.mounts()) {
            // Same path inside as outside: job.json, logs and git alternates name absolute paths.
            mounts.add(mount.overlay().isPresent() ? overlayMount(mount.path(), mount.overlay().get())
                    : Map.of("Type", "bind", "Source", mount.path().toString(), "Target", mount.path().toString(), "ReadOnly", mount.readOnly()));
        }
        containerSpec.put("Mounts", mounts);
        if (!request.secrets().isEmpty()) {
            containerSpec.put("Secrets", secretReferences(request.secrets(), secretIds));
        }

        Map<String, Object> reservations = new LinkedHashMap<>();
        reservations.put("NanoCPUs", request.nanoCpus());
        reservations.put("MemoryBytes", request.memoryBytes());
        if (request.gpus() > 0) {
            reservations.put("GenericResources", List.of(Map.of("DiscreteResourceSpec", Map.of("Kind", request.gpuKind(), "Value", request.gpus()))));
        }
        Map<String, Object> limits = Map.of("NanoCPUs", request.nanoCpus(), "MemoryBytes", request.memoryBytes());

        Map<String, Object> taskTemplate = new LinkedHashMap<>();
        taskTemplate.put("ContainerSpec", containerSpec);
        taskTemplate.put("Resources", Map.of("Reservations", reservations, "Limits", limits));
        taskTemplate.put("RestartPolicy", Map.of("Condition", "none", "MaxAttempts", 0));
        request.pool().ifPresent(pool -> taskTemplate.put("Placement",
                Map.of("Constraints", List.of("node.labels." + SwarmNode.POOL_LABEL + "==" + pool))));

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("Name", request.name());
        spec.put("Labels", request.labels());
        spec.put("TaskTemplate", taskTemplate);
        // One replica that is never restarted, not replicated-job mode: when a node goes down, Swarm's
        // replicated orchestrator marks the task's desired state shutdown, while the job orchestrator
        // leaves it "running" for a day. berth checks the node's state too, but this is a second signal.
        spec.put("Mode", Map.of("Replicated", Map.of("Replicas", 1)));
        return spec;
    }

    /** The local volume driver mounts it on the node, as {@code mount -t overlay overlay -o OPTIONS}, when the container starts. */
    private static Map<String, Object> overlayMount(Path target, ServiceRequest.Overlay overlay)
    {
        Map<String, Object> driver = Map.of("Name", "local", "Options", Map.of("type", "overlay", "device", "overlay", "o", overlay.options()));
        return Map.of("Type", "volume", "Source", overlay.volume(), "Target", target.toString(), "ReadOnly", false,
                "VolumeOptions", Map.of("Labels", overlay.labels(), "DriverConfig", driver));
    }

    private static List<Map<String, Object>> secretReferences(List<String> names, Map<String, String> secretIds)
    {
        List<Map<String, Object>> references = new ArrayList<>();
        for (String name : names) {
            String id = secretIds.get(name);
            if (id == null) {
                throw new IllegalArgumentException("secret " + name + " has no id");
            }
            Map<String, Object> file = Map.of("Name", name, "UID", "0", "GID", "0", "Mode", SECRET_FILE_MODE);
            references.add(Map.of("SecretID", id, "SecretName", name, "File", file));
        }
        return references;
    }
}
