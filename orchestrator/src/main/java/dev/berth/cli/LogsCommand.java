package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.store.JobStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Prints a job's output (its last attempt's stdout.txt in the run dir).",
                "The same files can be read on any node of the fleet, e.g. with tail -f."})
final class LogsCommand
        implements Callable<Integer>
{
    private static final Duration APPEAR_WITHIN = Duration.ofMinutes(1);

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "JOB", description = "The job id, or an unambiguous prefix of it.")
    String jobId;

    @Option(names = "--stderr", description = "Print stderr.txt instead of stdout.txt.")
    boolean stderr;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the job ends (a job sent a moment ago is waited for).")
    boolean follow;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
            throws Exception
    {
        String fileName = stderr ? "stderr.txt" : "stdout.txt";
        PrintWriter out = spec.commandLine().getOut();
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            Job job = follow ? awaitJob(store) : JobLookup.find(store, jobId);
            if (!follow) {
                if (job.runDir().isEmpty() || !Files.exists(job.runDir().get().resolve(fileName))) {
                    throw new BerthCli.UserException("job " + job.id() + " has no output yet (it is " + job.state() + ")");
                }
                copyFrom(job.runDir().get().resolve(fileName), 0, out, true);
                return 0;
            }
            // Follows the link to the current attempt: a retry starts a new file, printed from its start.
            Path current = null;
            long offset = 0;
            while (true) {
                job = store.reads().job(job.id()).orElseThrow();
                boolean ended = job.state().terminal();
                if (job.runDir().isPresent()) {
                    Path link = job.runDir().get().resolve(fileName);
                    Path target = Files.exists(link) ? link.toRealPath() : null;
                    if (target != null && !target.equals(current)) {
                        current = target;
                        offset = 0;
                    }
                    if (current != null) {
                        offset = copyFrom(current, offset, out, ended);
                    }
                }
                if (ended) {
                    return 0;
                }
                Thread.sleep(300);
            }
        }
    }

    /**
     * The job to follow. One sent a moment ago (with {@code berth submit} in the line before) exists once the
     * daemon has taken it off the queue, so it is waited for, up to a minute, before the id is called unknown.
     */
    private Job awaitJob(JobStore store)
            throws Exception
    {
        Instant start = Instant.now();
        boolean hinted = false;
        while (true) {
            Optional<Job> found = store.reads().find(jobId);
            if (found.isPresent()) {
                return found.get();
            }
            Duration waited = Duration.between(start, Instant.now());
            if (waited.compareTo(APPEAR_WITHIN) >= 0) {
                return JobLookup.find(store, jobId);
            }
            if (!hinted && waited.toSeconds() >= 10) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("no job '" + jobId + "' yet; waiting for berth to take it off the queue: is 'berth serve' running?");
                err.flush();
                hinted = true;
            }
            Thread.sleep(250);
        }
    }

    /**
     * Prints what the file holds past {@code offset}, decoded as UTF-8; returns the new offset. A character
     * still being written (its first bytes only) waits for the next call, unless this is the last one.
     */
    private static long copyFrom(Path file, long offset, PrintWriter out, boolean last)
            throws IOException
    {
        try (RandomAccessFile input = new RandomAccessFile(file.toFile(), "r")) {
            byte[] buffer = new byte[64 * 1024];
            long position = offset;
            while (true) {
                input.seek(position);
                int read = input.read(buffer);
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
