package dev.berth.selftest;

import dev.berth.job.Job;
import dev.berth.rundir.JobLogs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/** What the self-test job wrote to stdout, read the way {@code berth logs} reads it: never through a link the job made. */
public final class SelfTestOutput
{
    /** The self-test writes a few lines; an image that writes more gets its start read. */
    private static final int MAX_BYTES = 64 * 1024;

    private SelfTestOutput() {}

    /** The current attempt's stdout; empty before the job was prepared or its container wrote anything. */
    public static Optional<String> read(Job job)
            throws IOException
    {
        if (job.runDir().isEmpty()) {
            return Optional.empty();
        }
        Optional<Path> file = JobLogs.current(job.runDir().get(), "stdout.txt");
        if (file.isEmpty() || !Files.exists(file.get(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (InputStream in = Channels.newInputStream(JobLogs.open(file.get()))) {
            return Optional.of(new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8));
        }
    }
}
