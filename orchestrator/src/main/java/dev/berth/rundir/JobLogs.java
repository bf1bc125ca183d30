package dev.berth.rundir;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a job's stdout and stderr for {@code berth logs} and anything else that shows them. The job
 * writes these files, as root in its container, and may put a link (to a file of the manager's) or a
 * pipe in their place: berth follows only its own link from the run dir to the current attempt, and
 * opens the attempt's file only when it is a plain file, never through a link.
 */
public final class JobLogs
{
    private static final Pattern ATTEMPT_LOG = Pattern.compile("attempts/[0-9]{1,4}/(stdout|stderr)\\.txt");

    private JobLogs() {}

    /**
     * The current attempt's {@code name} ({@code stdout.txt} or {@code stderr.txt}), as the run dir's link
     * names it: empty before the job's first attempt was prepared.
     */
    public static Optional<Path> current(Path runDir, String name)
            throws IOException
    {
        Path link = runDir.resolve(name);
        if (!Files.isSymbolicLink(link)) {
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                throw new UnsafeRunDirException(link + " is not the link berth made to the current attempt's output; it is not read");
            }
            return Optional.empty();
        }
        String target = Files.readSymbolicLink(link).toString();
        if (!ATTEMPT_LOG.matcher(target).matches() || !target.endsWith("/" + name)) {
            throw new UnsafeRunDirException(link + " points at " + target + ", not at an attempt's " + name + "; it is not followed");
        }
        return Optional.of(runDir.resolve(target));
    }

    /** Attempt {@code number}'s {@code name} ({@code stdout.txt} or {@code stderr.txt}), by the path berth gave it. */
    public static Path ofAttempt(Path runDir, int number, String name)
    {
        if (!name.equals("stdout.txt") && !name.equals("stderr.txt")) {
            throw new IllegalArgumentException("not a log file of a job: " + name);
        }
        return RunDirs.attemptDir(runDir, number).resolve(name);
    }

    /** The number of the attempt whose log berth's link names, as {@link #current} returns it. */
    public static int attemptOf(Path runDir, Path log)
    {
        return Integer.parseInt(runDir.relativize(log).getName(1).toString());
    }

    /**
     * Opens a job's log file for reading, refusing a link or anything but a plain file, with a message
     * that says so: a job could otherwise make berth print any file of the manager's.
     */
    public static SeekableByteChannel open(Path file)
            throws IOException
    {
        if (Files.isSymbolicLink(file)) {
            throw new UnsafeRunDirException(file + " is a symbolic link (to " + Files.readSymbolicLink(file)
                    + ") that the job put in place of its output; berth does not follow links in a run dir");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeRunDirException(file + " is not a plain file; berth reads only plain files in a run dir");
        }
        try {
            // No link is followed even if one is put there after the check above
            return Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        }
        catch (IOException e) {
            if (Files.isSymbolicLink(file)) {
                throw new UnsafeRunDirException(file + " became a symbolic link that the job made; berth does not follow links in a run dir");
            }
            throw e;
        }
    }
}
