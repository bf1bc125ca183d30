package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.rundir.JobLogs;
import dev.berth.rundir.UnsafeRunDirException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Prints one of a job's output files ({@code stdout.txt} or {@code stderr.txt} in its run dir) as it
 * grows. The file in the run dir links to the current attempt's: a retry starts a new file, printed
 * from its start under a line {@code ==> attempt N <==}, after any earlier attempt's not printed yet
 * (a job followed once it was retried). Only berth's own link and plain files are read (see {@link JobLogs}).
 */
final class LogTail
{
    private final String fileName;
    private final PrintWriter out;
    private Path current;
    private long offset;
    /** The last attempt whose file was printed, 0 before any. */
    private int printedAttempt;

    LogTail(String fileName, PrintWriter out)
    {
        this.fileName = requireNonNull(fileName, "fileName is null");
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
        Path target = current(runDir, fileName).orElse(null);
        if (target != null && !target.equals(current)) {
            if (current != null) {
                // The rest of the attempt that just ended, then the next one's from its start
                copyFrom(current, offset, out, true);
            }
            int attempt = JobLogs.attemptOf(runDir, target);
            for (int earlier = printedAttempt + 1; earlier < attempt; earlier++) {
                header(earlier);
                copyWhole(JobLogs.ofAttempt(runDir, earlier, fileName), out);
            }
            if (attempt > 1) {
                header(attempt);
            }
            printedAttempt = attempt;
            current = target;
            offset = 0;
        }
        if (current != null) {
            offset = copyFrom(current, offset, out, job.state().terminal());
        }
    }

    private void header(int attempt)
    {
        out.println("==> attempt " + attempt + " <==");
        out.flush();
    }

    /** Prints an attempt's whole file, if it has one: an attempt that never started has none. */
    static void copyWhole(Path file, PrintWriter out)
            throws IOException
    {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            copyFrom(file, 0, out, true);
        }
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

    /**
     * Prints what the file holds past {@code offset}, decoded as UTF-8; returns the new offset. A character
     * still being written (its first bytes only) waits for the next call, unless this is the last one.
     */
    static long copyFrom(Path file, long offset, PrintWriter out, boolean last)
            throws IOException
    {
        try (SeekableByteChannel input = open(file)) {
            byte[] buffer = new byte[64 * 1024];
            long position = offset;
            while (true) {
                input.position(position);
                int read = input.read(ByteBuffer.wrap(buffer));
                if (read <= 0) {
                    break;
                }
                int whole = read < buffer.length && last ? read : wholeCharacters(buffer, read);
                if (whole == 0) {
                    break;
                }
                out.write(new String(buffer, 0, whole, StandardCharsets.UTF_8));
                position += whole;
            }
            out.flush();
            return position;
        }
    }

    private static SeekableByteChannel open(Path file)
            throws IOException
    {
        try {
            return JobLogs.open(file);
        }
        catch (UnsafeRunDirException e) {
            throw new BerthCli.UserException(e.getMessage());
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
}
