package dev.berth.cli;

import dev.berth.store.Job;
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
import java.util.concurrent.Callable;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Prints a job's output (its last attempt's stdout.txt in the run dir).",
                "The same files can be read on any node of the fleet, e.g. with tail -f."})
final class LogsCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "JOB", description = "The job id, or an unambiguous prefix of it.")
    String jobId;

    @Option(names = "--stderr", description = "Print stderr.txt instead of stdout.txt.")
    boolean stderr;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the job ends.")
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
            Job job = JobLookup.find(store, jobId);
            if (!follow) {
                if (job.runDir().isEmpty() || !Files.exists(job.runDir().get().resolve(fileName))) {
                    throw new BerthCli.UserException("job " + job.id() + " has no output yet (it is " + job.state() + ")");
                }
                copyFrom(job.runDir().get().resolve(fileName), 0, out);
                return 0;
            }
            // Follows the link to the current attempt: a retry starts a new file, printed from its start.
            Path current = null;
            long offset = 0;
            while (true) {
                job = store.job(job.id()).orElseThrow();
                boolean ended = job.state().terminal();
                if (job.runDir().isPresent()) {
                    Path link = job.runDir().get().resolve(fileName);
                    Path target = Files.exists(link) ? link.toRealPath() : null;
                    if (target != null && !target.equals(current)) {
                        current = target;
                        offset = 0;
                    }
                    if (current != null) {
                        offset = copyFrom(current, offset, out);
                    }
                }
                if (ended) {
                    return 0;
                }
                Thread.sleep(300);
            }
        }
    }

    /** Prints what the file holds past {@code offset}; returns the new offset. Output is text, decoded as UTF-8. */
    private static long copyFrom(Path file, long offset, PrintWriter out)
            throws IOException
    {
        try (RandomAccessFile input = new RandomAccessFile(file.toFile(), "r")) {
            input.seek(offset);
            byte[] buffer = new byte[64 * 1024];
            int read;
            long position = offset;
            while ((read = input.read(buffer)) > 0) {
                out.write(new String(buffer, 0, read, StandardCharsets.UTF_8));
                position += read;
            }
            out.flush();
            return position;
        }
    }
}
