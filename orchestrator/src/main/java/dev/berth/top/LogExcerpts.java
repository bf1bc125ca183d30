package dev.berth.top;

import dev.berth.job.Attempt;
import dev.berth.job.Job;
import dev.berth.rundir.JobLogs;
import dev.berth.rundir.RunDirs;
import dev.berth.rundir.UnsafeRunDirException;
import dev.berth.top.LogExcerpt.Kind;
import dev.berth.top.LogExcerpt.Line;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the end of a job's stdout or stderr across its attempts, newest last, as {@code berth logs -f}
 * prints them one after the other: each attempt's own file in {@code attempts/<n>/}, opened only through
 * {@link JobLogs} (a plain file, never a link the job put there). Only the last bytes of each file are
 * read, so a refresh costs the same for a gigabyte of output as for a line.
 */
final class LogExcerpts
{
    /** How much of the end of each file is read: thousands of lines, more than a screen scrolls back through. */
    private static final int TAIL_BYTES = 256 * 1024;

    private LogExcerpts() {}

    /** At most {@code most} of the last lines of {@code job}'s {@code stream}, over {@code attempts} (the job's, in order). */
    static LogExcerpt read(Job job, List<Attempt> attempts, LogStream stream, int most)
    {
        if (job.runDir().isEmpty()) {
            return LogExcerpt.note("no output yet: job " + job.id() + " is " + job.state() + " and has no run dir");
        }
        Path runDir = job.runDir().get();
        LinkedList<Line> lines = new LinkedList<>();
        boolean headings = attempts.size() > 1;
        boolean anyFile = false;
        for (int i = attempts.size() - 1; i >= 0 && lines.size() < most; i--) {
            Attempt attempt = attempts.get(i);
            List<Line> own = new ArrayList<>();
            Path file = RunDirs.attemptDir(runDir, attempt.number()).resolve(stream.fileName());
            try {
                Optional<List<String>> tail = tail(file);
                anyFile |= tail.isPresent();
                tail.orElse(List.of()).forEach(text -> own.add(new Line(Kind.OUTPUT, text)));
            }
            catch (UnsafeRunDirException e) {
                own.add(new Line(Kind.NOTE, e.getMessage()));
                anyFile = true;
            }
            catch (IOException e) {
                own.add(new Line(Kind.NOTE, "cannot read " + file + ": " + e.getMessage()));
                anyFile = true;
            }
            if (headings) {
                own.add(0, new Line(Kind.HEADING, heading(attempt)));
            }
            lines.addAll(0, own);
        }
        if (!anyFile) {
            return LogExcerpt.note("no " + stream.label() + " yet: job " + job.id() + " is " + job.state());
        }
        while (lines.size() > most) {
            lines.removeFirst();
        }
        return new LogExcerpt(lines);
    }

    private static String heading(Attempt attempt)
    {
        return "attempt " + attempt.number() + ": " + attempt.state()
                + attempt.node().map(node -> " on " + node).orElse("")
                + attempt.reason().map(reason -> " (" + reason + ")").orElse("");
    }

    /** The lines at the end of {@code file}, empty when it does not exist (yet). */
    private static Optional<List<String>> tail(Path file)
            throws IOException
    {
        // Without following a link: a link the job put there is JobLogs' to refuse, with a message saying so
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (SeekableByteChannel input = JobLogs.open(file)) {
            long size = input.size();
            long start = Math.max(0, size - TAIL_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
            input.position(start);
            // To the end as it was at the start: what the job writes meanwhile shows at the next refresh
            int read;
            do {
                read = input.read(buffer);
            }
            while (read > 0 && buffer.hasRemaining());
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            if (start > 0) {
                // Read from the middle of a line (maybe of a character): the whole lines after it
                int newline = text.indexOf('\n');
                text = newline < 0 ? "" : text.substring(newline + 1);
            }
            return Optional.of(lines(text));
        }
    }

    /**
     * The lines of {@code text}, each as a terminal leaves it: a line that rewrites itself with carriage
     * returns (a progress bar) shows what it wrote after the last one, and a CRLF ending is a line end.
     */
    static List<String> lines(String text)
    {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            String line = text.substring(start, end < 0 ? text.length() : end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            int carriageReturn = line.lastIndexOf('\r');
            lines.add(carriageReturn < 0 ? line : line.substring(carriageReturn + 1));
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
        return lines;
    }
}
