package dev.berth.rundir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.Job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The run dirs on the shared mount, one per job:
 * <pre>
 * runs/&lt;yyyymmdd_HHMMSS&gt;_&lt;name&gt;_&lt;id&gt;/
 *     job.json                  the request as received, the resolved commit and image
 *     attempts/&lt;n&gt;/work/        attempt n's own checkout (the job's working directory)
 *     attempts/&lt;n&gt;/stdout.txt   attempt n's output, written by its container while it runs
 *     attempts/&lt;n&gt;/stderr.txt
 *     checkpoint/               $BERTH_CHECKPOINT_DIR: the job's own, kept across its attempts
 *     work, stdout.txt, stderr.txt   links to the current (in the end, the last) attempt's
 *     exit_code, result.json   written once the job has ended
 * runs/&lt;yyyymmdd_HHMMSS&gt;_&lt;name&gt;_&lt;array id&gt;/&lt;index&gt;/   an array's task's run dir, as above
 * </pre>
 * Each attempt owns its files, so a container left running on a partitioned node cannot
 * overwrite the output of the attempt that replaced it. An attempt's container may write only its
 * own {@code attempts/<n>/} and the job's {@code checkpoint/}: the rest is mounted read-only, so the
 * files berth writes here are beyond the reach of a job's links (see {@link AtomicFiles},
 * {@link JobLogs}), and the job cannot replace either dir with a link, only fill it. berth never
 * follows a link inside them ({@link CheckpointUsage} walks the checkpoint without).
 */
public final class RunDirs
{
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path runsRoot;

    public RunDirs(Path runsRoot)
    {
        this.runsRoot = requireNonNull(runsRoot, "runsRoot is null").toAbsolutePath();
    }

    /** A job's run dir; an array's task's is its index in the array's dir, which holds the run dirs of all its tasks. */
    public Path runDirFor(Job job)
    {
        return job.task().map(task -> runDirFor(task.arrayId(), job.name(), job.receivedAt()).resolve(String.valueOf(task.index())))
                .orElseGet(() -> runDirFor(job.id(), job.name(), job.receivedAt()));
    }

    /** The run dir of a job, or the dir of an array's run dirs, of that id, name and time of receipt. */
    public Path runDirFor(String id, String name, Instant receivedAt)
    {
        return runsRoot.resolve(STAMP.format(receivedAt) + "_" + name + "_" + id);
    }

    /**
     * Makes attempt {@code number}'s directory afresh (an unfinished one from before a restart is
     * discarded) with empty log files, and points the run dir's links at it.
     *
     * @return the attempt's directory; its checkout goes into {@code work/} below it
     */
    public Path startAttempt(Path runDir, int number)
            throws IOException
    {
        Path attemptDir = attemptDir(runDir, number);
        deleteTree(attemptDir);
        Files.createDirectories(attemptDir);
        Files.createFile(attemptDir.resolve("stdout.txt"));
        Files.createFile(attemptDir.resolve("stderr.txt"));
        Path relative = runDir.relativize(attemptDir);
        AtomicFiles.relink(runDir.resolve("stdout.txt"), relative.resolve("stdout.txt"));
        AtomicFiles.relink(runDir.resolve("stderr.txt"), relative.resolve("stderr.txt"));
        AtomicFiles.relink(runDir.resolve("work"), relative.resolve("work"));
        return attemptDir;
    }

    /**
     * Readies the attempt's {@code work} dir as the upper dir of an overlay of its commit's snapshot: empty, with
     * the overlay's scratch dir beside it on the same file system. The scratch dir's presence is what says, also
     * to a berth restarted since, that the attempt runs on an overlay.
     */
    public void prepareOverlay(Path attemptDir)
            throws IOException
    {
        Files.createDirectory(attemptDir.resolve("work"));
        Files.createDirectory(overlayScratchOf(attemptDir));
    }

    /** The overlay's own scratch dir (its "workdir"), present only for an attempt that runs on an overlay. */
    public static Path overlayScratchOf(Path attemptDir)
    {
        return attemptDir.resolve(".overlay");
    }

    /**
     * Makes the job's checkpoint dir if it has none yet, before its first attempt; later attempts find what the
     * ones before them saved there.
     *
     * @return the checkpoint dir
     */
    public Path checkpointDir(Path runDir)
            throws IOException
    {
        Path dir = checkpointDirOf(runDir);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(runDir);
            Files.createDirectory(dir);
        }
        else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeRunDirException(dir + " is not the checkpoint dir berth made; it is not mounted into the job's container");
        }
        return dir;
    }

    public static Path checkpointDirOf(Path runDir)
    {
        return runDir.resolve("checkpoint");
    }

    public static Path attemptDir(Path runDir, int number)
    {
        return runDir.resolve("attempts").resolve(String.valueOf(number));
    }

    public void writeJobJson(Path runDir, ObjectNode content)
            throws IOException
    {
        Files.createDirectories(runDir);
        AtomicFiles.write(runDir.resolve("job.json"), JSON.writeValueAsBytes(content));
    }

    /** Writes {@code result.json} and, when the job's container ran to an exit, {@code exit_code}. */
    public void writeResult(Path runDir, ObjectNode result, Integer exitCode)
            throws IOException
    {
        // A job can fail before anything else was written into its run dir (an unknown image)
        Files.createDirectories(runDir);
        if (exitCode != null) {
            AtomicFiles.write(runDir.resolve("exit_code"), (exitCode + "\n").getBytes(StandardCharsets.UTF_8));
        }
        AtomicFiles.write(runDir.resolve("result.json"), JSON.writeValueAsBytes(result));
    }

    /**
     * Removes a run dir of a purged job, and nothing outside this tree: a path that is not a run dir here is
     * refused, and a link inside (a job may have made one) goes as a link, never what it points at.
     *
     * @return false when there was none
     */
    public boolean remove(Path runDir)
            throws IOException
    {
        Path normalized = runDir.toAbsolutePath().normalize();
        if (!runsRoot.equals(normalized.getParent())) {
            throw new UnsafeRunDirException(runDir + " is not a run dir in " + runsRoot + "; it is left as it is");
        }
        if (!Files.exists(normalized, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        deleteTree(normalized);
        return true;
    }

    public ObjectNode newObject()
    {
        return JSON.createObjectNode();
    }

    private static void deleteTree(Path root)
            throws IOException
    {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
