package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.rundir.JobLogs;
import dev.berth.rundir.LogFollower;
import dev.berth.rundir.LogRead;
import dev.berth.rundir.UnsafeRunDirException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Prints one of a job's output files ({@code stdout.txt} or {@code stderr.txt} in its run dir) as it
 * grows. The file in the run dir links to the current attempt's: a retry starts a new file, printed
 * from its start under a line {@code ==> attempt N <==}, after the whole of the attempts before it (a
 * job followed once it was retried shows them first; see {@link LogFollower}). Only berth's own link
 * and plain files are read (see {@link JobLogs}).
 */
final class LogTail
{
    private static final int CHUNK = 64 * 1024;

    private final LogFollower follower;
    private final PrintWriter out;

    LogTail(String fileName, PrintWriter out)
    {
        this.follower = new LogFollower(fileName, 1, 0);
        this.out = requireNonNull(out, "out is null");
    }

    /** Prints what the job's file gained since the last call; a job that has ended gets its last bytes too. */
    void printGrowth(Job job)
            throws IOException
    {
        if (job.runDir().isEmpty()) {
            return;
        }
        Path runDir = job.runDir().get();
        try {
            // The first attempt is named only when there are more to tell it from
            boolean retried = JobLogs.currentAttempt(runDir, follower.fileName()).orElse(1) > 1;
            follower.follow(runDir, job.state().terminal(), (attempt, text, nextOffset) -> {
                if (text.isEmpty() && nextOffset == 0 && (attempt > 1 || retried)) {
                    out.println("==> attempt " + attempt + " <==");
                }
                out.write(text);
            });
        }
        catch (UnsafeRunDirException e) {
            throw new BerthCli.UserException(e.getMessage());
        }
        out.flush();
    }

    /**
     * The current attempt's file as the run dir's link names it, never through a link the job made: a
     * job that replaced its output with a link (to a file of the manager's) gets an error saying so.
     */
    static Optional<Path> current(Path runDir, String fileName)
            throws IOException
    {
        try {
            return JobLogs.current(runDir, fileName);
        }
        catch (UnsafeRunDirException e) {
            throw new BerthCli.UserException(e.getMessage());
        }
    }

    /** Prints an attempt's whole file, if it has one: an attempt that never started has none. */
    static void copyWhole(Path file, PrintWriter out)
            throws IOException
    {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            copy(file, out);
        }
    }

    /** Prints the whole file, decoded as UTF-8. */
    static void copy(Path file, PrintWriter out)
            throws IOException
    {
        long offset = 0;
        try {
            while (true) {
                LogRead read = JobLogs.read(file, offset, CHUNK, true);
                if (read.nextOffset() == offset) {
                    break;
                }
                out.write(read.text());
                offset = read.nextOffset();
            }
        }
        catch (UnsafeRunDirException e) {
            throw new BerthCli.UserException(e.getMessage());
        }
        out.flush();
    }
}
