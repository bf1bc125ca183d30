package dev.berth.rundir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Follows one of a job's output files across its attempts, for {@code berth logs -f} and the
 * dashboard. The run dir's link names the current attempt; an attempt older than that one has ended,
 * so it is read to its end before the next one is started from its beginning: a retry's output comes
 * after the whole of the attempt before it. Files are read only through {@link JobLogs}, never
 * through a link the job made.
 */
public final class LogFollower
{
    /** Read at a time, so a long log reaches its reader in pieces, never held whole. */
    private static final int CHUNK = 64 * 1024;

    private final String fileName;
    private int attempt;
    private long offset;
    private boolean announced;

    /** Starts at the start of the current attempt's file, whichever attempt that is when the first look finds one. */
    public LogFollower(String fileName)
    {
        this(fileName, 0, 0);
    }

    /**
     * Starts at {@code offset} bytes into attempt {@code attempt}'s file (attempt 0: the current attempt's,
     * from its start).
     */
    public LogFollower(String fileName, int attempt, long offset)
    {
        this.fileName = JobLogs.requireLogName(fileName);
        if (attempt < 0 || offset < 0 || (attempt == 0 && offset != 0)) {
            throw new IllegalArgumentException("cannot start at attempt " + attempt + ", offset " + offset);
        }
        this.attempt = attempt;
        this.offset = offset;
    }

    /** What the reader is handed: each piece of text as it is read, and the start of each attempt. */
    @FunctionalInterface
    public interface Reader
    {
        /**
         * @param text whole characters; empty the first time an attempt is handed, to say the follower is at it
         * @param nextOffset where in that attempt's file the text ends, in bytes
         */
        void read(int attempt, String text, long nextOffset)
                throws IOException;
    }

    /**
     * Hands {@code reader} what the output gained since the last look, in order. {@code ended} says the
     * job has ended, so the current attempt's last bytes are read too (a character cut short included).
     *
     * @throws UnsafeRunDirException when the job put a link or anything but a plain file where its output goes
     */
    public void follow(Path runDir, boolean ended, Reader reader)
            throws IOException
    {
        Optional<Integer> current = JobLogs.currentAttempt(runDir, fileName);
        if (current.isEmpty()) {
            return;
        }
        if (attempt == 0) {
            attempt = current.get();
        }
        if (!announced) {
            reader.read(attempt, "", offset);
            announced = true;
        }
        while (true) {
            boolean over = ended || attempt < current.get();
            readAttempt(runDir, over, reader);
            if (attempt >= current.get()) {
                return;
            }
            attempt++;
            offset = 0;
            reader.read(attempt, "", 0);
        }
    }

    private void readAttempt(Path runDir, boolean over, Reader reader)
            throws IOException
    {
        Path file = JobLogs.ofAttempt(runDir, attempt, fileName);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            // An attempt recorded but never prepared has no files: nothing to read
            return;
        }
        while (true) {
            LogRead read = JobLogs.read(file, offset, CHUNK, over);
            if (read.size() < offset) {
                // Made afresh: a restart of berth discards an attempt it had not started yet
                offset = 0;
                continue;
            }
            if (read.nextOffset() == offset) {
                return;
            }
            offset = read.nextOffset();
            reader.read(attempt, read.text(), offset);
        }
    }

    /** The file followed: {@code stdout.txt} or {@code stderr.txt}. */
    public String fileName()
    {
        return fileName;
    }

    /** The attempt being read: 0 before the first look found one. */
    public int attempt()
    {
        return attempt;
    }

    /** How far into that attempt's file the reader has been handed, in bytes. */
    public long offset()
    {
        return offset;
    }
}
