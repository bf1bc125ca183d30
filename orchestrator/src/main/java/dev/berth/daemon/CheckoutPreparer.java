package dev.berth.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.registry.RegistryAccessException;
import dev.berth.repo.RepoException;
import dev.berth.repo.Repositories;
import dev.berth.repo.Snapshots;
import dev.berth.rundir.RunDirs;
import dev.berth.swarm.Swarm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Preparation on the shared mount: the image pinned (first attempt only, so every attempt runs the
 * same bytes), the secrets it names still in Swarm, the job's checkpoint dir (made once, kept for every
 * attempt), the attempt's own run-dir files, the job's commit, and job.json.
 * <p>
 * The commit is the shared snapshot of it, built by the first job of the commit and seen by each attempt
 * through an overlay of its own ({@link JobServices} declares it), or while {@link WorkDirMode} says so, a
 * full checkout into the attempt's work dir.
 */
final class CheckoutPreparer
        implements Preparer
{
    private static final ObjectMapper REQUEST_READER = new ObjectMapper();

    private final Swarm swarm;
    private final Repositories repositories;
    private final Snapshots snapshots;
    private final RunDirs runDirs;
    private final WorkDirMode workDirMode;

    CheckoutPreparer(Swarm swarm, Repositories repositories, Snapshots snapshots, RunDirs runDirs, WorkDirMode workDirMode)
    {
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.repositories = requireNonNull(repositories, "repositories is null");
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
        this.runDirs = requireNonNull(runDirs, "runDirs is null");
        this.workDirMode = requireNonNull(workDirMode, "workDirMode is null");
    }

    @Override
    public Prepared prepare(Job job, int attempt)
            throws RequestProblem, IOException
    {
        JobRequest request = job.spec();
        Optional<String> pinned = job.imageRef();
        String imageRef = pinned.isPresent() ? pinned.get() : pin(request.image());
        // Checked at intake too, but a secret may have been removed while the job waited
        Optional<String> missingSecrets = new SecretCheck(swarm).missing(request);
        if (missingSecrets.isPresent()) {
            throw new RequestProblem(missingSecrets.get());
        }

        Path runDir = job.runDir().orElseThrow(() -> new IllegalStateException("job " + job.id() + " has no run dir recorded"));
        runDirs.checkpointDir(runDir);
        Path attemptDir = runDirs.startAttempt(runDir, attempt);
        String commit;
        Path tree;
        try {
            if (workDirMode.overlaysOn()) {
                // A retry runs the commit the first attempt ran, even if the branch has moved since.
                Snapshots.Snapshot snapshot = job.commit().isPresent()
                        ? snapshots.ofCommit(request.repo(), job.commit().get())
                        : snapshots.ofBranch(request.repo(), request.branch(), job.receivedAt());
                runDirs.prepareOverlay(attemptDir);
                commit = snapshot.commit();
                tree = snapshot.tree();
            }
            else {
                tree = attemptDir.resolve("work");
                commit = (job.commit().isPresent()
                        ? repositories.checkoutCommit(request.repo(), job.commit().get(), tree)
                        : repositories.checkout(request.repo(), request.branch(), job.receivedAt(), tree)).commit();
            }
        }
        catch (RepoException e) {
            if (e.kind() == RepoException.Kind.CORRUPT_MIRROR || e.kind() == RepoException.Kind.INTERRUPTED) {
                throw new IOException(e.getMessage(), e);
            }
            throw new RequestProblem(e.getMessage());
        }
        checkEntrypoint(tree, request.entrypoint(), commit);
        runDirs.writeJobJson(runDir, jobJson(job, commit, imageRef));
        return new Prepared(imageRef, commit);
    }

    /** The image's exact bytes; a registry that will not let berth have them fails the job, as retrying would not help. */
    private String pin(String image)
            throws RequestProblem
    {
        Optional<String> resolved;
        try {
            resolved = swarm.resolveImage(image);
        }
        catch (RegistryAccessException e) {
            throw new RequestProblem(e.getMessage());
        }
        return resolved.orElseThrow(() -> new RequestProblem(
                "image '" + image + "' is neither on the manager nor in a reachable registry; push it, or load it on every node"));
    }

    private static void checkEntrypoint(Path work, String entrypoint, String commit)
            throws RequestProblem
    {
        Path file = work.resolve(entrypoint).normalize();
        if (!file.startsWith(work) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new RequestProblem("entrypoint '" + entrypoint + "' is not a file in commit " + commit.substring(0, 12));
        }
        if (!Files.isExecutable(file)) {
            throw new RequestProblem("entrypoint '" + entrypoint + "' is not executable in commit " + commit.substring(0, 12)
                    + ": run 'git update-index --chmod=+x " + entrypoint + "' and push");
        }
    }

    private ObjectNode jobJson(Job job, String commit, String imageRef)
            throws IOException
    {
        JobRequest request = job.spec();
        ObjectNode json = runDirs.newObject();
        json.put("job_id", job.id());
        json.put("name", job.name());
        json.set("request", REQUEST_READER.readTree(job.rawRequest()));
        json.put("repo", request.repo().toString());
        json.put("branch", request.branch());
        json.put("commit", commit);
        json.put("image", request.image());
        json.put("image_ref", imageRef);
        json.put("received_at", job.receivedAt().toString());
        return json;
    }
}
