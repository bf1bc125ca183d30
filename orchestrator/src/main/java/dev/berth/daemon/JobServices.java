package dev.berth.daemon;

import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.repo.Snapshots;
import dev.berth.rundir.RunDirs;
import dev.berth.swarm.ServiceRequest;
import dev.berth.swarm.Swarm;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/** What one attempt's Swarm service is: its command, environment, mounts, secrets, reservations and labels. */
final class JobServices
{
    /**
     * The container's first process. Its text never changes: the entrypoint and its parameters arrive
     * as environment variables, so nothing a user sends is ever parsed by a shell. It touches a marker
     * first, whose time is the attempt's start when berth never saw it running.
     */
    static final String WRAPPER = """
            : >"$BERTH_ATTEMPT_DIR/.started"
            exec >>"$BERTH_ATTEMPT_DIR/stdout.txt" 2>>"$BERTH_ATTEMPT_DIR/stderr.txt" || exit 125
            exec "./$BERTH_ENTRYPOINT"
            """;
    static final String START_MARKER = ".started";

    private final String instanceId;
    private final Path mirrorsDir;
    private final Path snapshotsDir;
    private final String gpuKind;

    JobServices(String instanceId, Path mirrorsDir, Path snapshotsDir, String gpuKind)
    {
        this.instanceId = requireNonNull(instanceId, "instanceId is null");
        this.mirrorsDir = requireNonNull(mirrorsDir, "mirrorsDir is null").toAbsolutePath();
        this.snapshotsDir = requireNonNull(snapshotsDir, "snapshotsDir is null").toAbsolutePath();
        this.gpuKind = requireNonNull(gpuKind, "gpuKind is null");
    }

    ServiceRequest forAttempt(Job job, int attempt)
    {
        JobRequest request = job.spec();
        Path runDir = job.runDir().orElseThrow();
        Path attemptDir = RunDirs.attemptDir(runDir, attempt);
        Path checkpointDir = RunDirs.checkpointDirOf(runDir);
        Map<String, String> labels = Map.of(
                Swarm.INSTANCE_LABEL, instanceId,
                Swarm.JOB_LABEL, job.id(),
                Swarm.ATTEMPT_LABEL, String.valueOf(attempt));
        Map<String, String> env = new LinkedHashMap<>(request.env());
        env.put("ENTRYPOINT_PARAMS", request.entrypointParams().orElse(""));
        env.put("BERTH_JOB_ID", job.id());
        env.put("BERTH_ATTEMPT", String.valueOf(attempt));
        env.put("BERTH_RUN_DIR", runDir.toString());
        env.put("BERTH_ATTEMPT_DIR", attemptDir.toString());
        env.put("BERTH_CHECKPOINT_DIR", checkpointDir.toString());
        env.put("BERTH_ENTRYPOINT", request.entrypoint());
        env.put("BERTH_COMMIT", job.commit().orElseThrow());
        job.task().ifPresent(task -> {
            // As Slurm's SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT
            env.put("BERTH_ARRAY_ID", task.arrayId());
            env.put("BERTH_ARRAY_INDEX", String.valueOf(task.index()));
            env.put("BERTH_ARRAY_SIZE", String.valueOf(task.spec().size()));
        });
        if (request.resources().gpus() == 0) {
            // CUDA images default to every GPU on the host; a job that asked for none must see none.
            env.put("NVIDIA_VISIBLE_DEVICES", "void");
        }
        String serviceName = Swarm.serviceName(job.id(), attempt);
        Path work = attemptDir.resolve("work");
        // The job writes only its own attempt's dir and its checkpoint dir: the run dir's files (job.json,
        // result.json, exit_code, the links to the current attempt) are berth's, and a job must not be able to
        // plant a link there. Each writable dir is a mount point inside the read-only run dir, so the job
        // cannot replace it with a link either.
        List<ServiceRequest.Mount> mounts = new ArrayList<>(List.of(new ServiceRequest.Mount(runDir, true), new ServiceRequest.Mount(attemptDir, false),
                new ServiceRequest.Mount(checkpointDir, false), new ServiceRequest.Mount(mirrorsDir, true)));
        Path overlayScratch = RunDirs.overlayScratchOf(attemptDir);
        if (Files.isDirectory(overlayScratch, LinkOption.NOFOLLOW_LINKS)) {
            // The commit's shared snapshot below, the attempt's own work dir above: the job's writes stay in its attempt
            mounts.add(ServiceRequest.Mount.overlay(work, ServiceRequest.Overlay.named(serviceName + "-work",
                    Snapshots.treeOf(snapshotsDir, job.commit().orElseThrow()), work, overlayScratch, labels)));
        }
        return new ServiceRequest(
                serviceName,
                labels,
                job.imageRef().orElseThrow(),
                List.of("/bin/sh", "-c", WRAPPER, "berth-job"),
                env,
                work,
                mounts,
                request.resources().nanoCpus(),
                request.resources().memoryBytes(),
                request.resources().gpus(),
                gpuKind,
                request.pool(),
                request.secrets(),
                request.stopGrace());
    }
}
