package dev.berth.rundir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a job's stdout and stderr for {@code berth logs} and anything else that shows them. The job
 * writes these files, as root in its container, and may put a link (to a file of the manager's) or a
 * pipe in their place: berth follows only its own link from the run dir to the current attempt, and
 * opens the attempt's file only when it is a plain file, never through a link.
 */
public final class JobLogs
{
    /** The names a job's output has in its run dir and in each attempt's directory. */
    public static final String STDOUT = "stdout.txt";
    public static final String STDERR = "stderr.txt";
    private static final Pattern ATTEMPT_LOG = Pattern.compile("attempts/([0-9]{1,4})/(stdout|stderr)\\.txt");

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

    /** The number of the attempt the run dir's link {@code name} points at: empty before the first attempt was prepared. */
    public static Optional<Integer> currentAttempt(Path runDir, String name)
            throws IOException
    {
        Optional<Path> current = current(runDir, name);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Matcher matcher = ATTEMPT_LOG.matcher(runDir.relativize(current.get()).toString());
        if (!matcher.matches()) {
            throw new IllegalStateException("checked link " + current.get() + " no longer names an attempt");
        }
        return Optional.of(Integer.parseInt(matcher.group(1)));
    }

    /** Attempt {@code number}'s {@code name} ({@code stdout.txt} or {@code stderr.txt}): a path in berth's own directories, to {@link #open}. */
    public static Path ofAttempt(Path runDir, int number, String name)
    {
        requireLogName(name);
        if (number < 1) {
            throw new IllegalArgumentException("attempts are numbered from 1, not " + number);
        }
        return RunDirs.attemptDir(runDir, number).resolve(name);
    }

    /** {@code name} when it is {@link #STDOUT} or {@link #STDERR}: the only files of a job's that are read as its output. */
    public static String requireLogName(String name)
    {
        if (!STDOUT.equals(name) && !STDERR.equals(name)) {
            throw new IllegalArgumentException("a job's output is " + STDOUT + " or " + STDERR + ", not " + name);
        }
        return name;
    }

    /**
     * Reads up to {@code maxBytes} of a log from {@code offset}, decoded as UTF-8. A character still being
     * written (its first bytes only) is left for the next read, unless {@code last} says the file is
     * complete; so is one cut by {@code maxBytes}. Opened as {@link #open} does: never through a link.
     */
    public static LogRead read(Path file, long offset, int maxBytes, boolean last)
            throws IOException
    {
        if (offset < 0 || maxBytes < 4) {
            throw new IllegalArgumentException("offset " + offset + " or maxBytes " + maxBytes + " out of range");
        }
        try (SeekableByteChannel input = open(file)) {
            long size = input.size();
            long remaining = Math.max(0, size - offset);
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(maxBytes, remaining));
            input.position(offset);
            while (buffer.hasRemaining() && input.read(buffer) > 0) {
                // a file reads in one or a few calls
            }
            int read = buffer.position();
            int whole = last && read == remaining ? read : wholeCharacters(buffer.array(), read);
            return new LogRead(new String(buffer.array(), 0, whole, StandardCharsets.UTF_8), offset + whole, size);
        }
    }

    /** How many of the first {@code length} bytes end on a whole UTF-8 character. */
    static int wholeCharacters(byte[] bytes, int length)
    {
        // A character is at most four bytes: look back for the lead byte of the last one
        for (int back = 1; back <= Math.min(4, length); back++) {
            int value = bytes[length - back] & 0xff;
            if ((value & 0xc0) == 0x80) {
                continue;
            }
            int size = value < 0x80 ? 1 : value >= 0xf0 ? 4 : value >= 0xe0 ? 3 : value >= 0xc0 ? 2 : 1;
            return size > back ? length - back : length;
        }
        return length;
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
