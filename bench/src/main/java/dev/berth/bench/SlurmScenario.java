package dev.berth.bench;

import dev.berth.testing.LocalSwarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * Slurm on this machine, single node, doing what berth's scenarios do with the same no-op container: each job a
 * batch script that runs it with {@code docker run --rm}, one CPU each, so that two run at once. Submissions as
 * {@code sbatch} in a shell loop and as one {@code sbatch --array}; submit to the job's script running, one job at a
 * time on the idle node; and the loop's jobs drained. Slurm as shipped, then with its batch scheduling delay at 0.
 * berth is not measured here: the rows it compares with are submit-per-process's, dispatch's and throughput's.
 */
final class SlurmScenario
        implements Scenario
{
    /**
     * The job: it writes its start and its end (epoch ns, then the container's exit status) to files named by its id,
     * each written whole before it appears under that name, so that the bench reads times, not when it looked.
     */
    private static final String JOB = """
            #!/bin/sh
            date +%%s%%N >"$MARKS/$SLURM_JOB_ID.start.tmp" && mv "$MARKS/$SLURM_JOB_ID.start.tmp" "$MARKS/$SLURM_JOB_ID.start"
            docker run --rm %s true
            status=$?
            echo "$(date +%%s%%N) $status" >"$MARKS/$SLURM_JOB_ID.end.tmp" && mv "$MARKS/$SLURM_JOB_ID.end.tmp" "$MARKS/$SLURM_JOB_ID.end"
            exit $status
            """.formatted(LocalSwarm.IMAGE);

    /**
     * The calls one after another as a user's loop makes them, timed by the shell as a whole (epoch ns before and after):
     * a {@code date} around each call, or a command substitution to catch its id, would cost about as much as sbatch.
     */
    private static final String LOOP = """
            start=$(date +%s%N)
            i=0
            while [ $i -lt "$COUNT" ]; do
                sbatch --parsable --job-name=loop --cpus-per-task=1 --output="$OUTPUT" "$JOB" >>"$IDS" || exit 1
                i=$((i + 1))
            done
            echo "$start $(date +%s%N)"
            """;

    private static final String NAME = "slurm";
    private static final Duration AT_MOST = Duration.ofMinutes(2);
    /** squeue asks slurmctld, whose work is measured: while jobs drain, not more often than this. */
    private static final Duration IDLE_CHECK = Duration.ofSeconds(5);

    /** Slurm as a site gets it, and with the scheduling it delays after each sbatch (3 s by default) brought forward to at once. */
    private static final List<Variant> VARIANTS = List.of(
            new Variant("as shipped", "shipped", List.of()),
            new Variant("batch_sched_delay=0", "tuned", List.of("batch_sched_delay=0")));

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        requireImage();
        int count = bench.size(500, 40);
        int rounds = bench.size(20, 5);
        List<Row> rows = new ArrayList<>();
        for (Variant variant : VARIANTS) {
            Path dir = bench.work().resolve(name()).resolve(variant.dirName());
            try (SlurmPeer slurm = SlurmPeer.start(dir.resolve("slurm"), variant.schedulerParameters())) {
                Jobs jobs = new Jobs(slurm, dir);
                rows.add(Row.of(NAME, label(variant, "`sbatch` → the job's script running, one job at a time on the idle node"), "ms", jobs.dispatch(rounds))
                        .note("its first line; its container starts after"));
                rows.addAll(jobs.submissions(variant, count));
            }
        }
        return rows;
    }

    private record Variant(String label, String dirName, List<String> schedulerParameters) {}

    /** The jobs of one Slurm: their script, where they mark their start and end, and where Slurm writes their output. */
    private static final class Jobs
    {
        private final SlurmPeer slurm;
        private final Path script;
        private final Path marks;
        private final String output;

        Jobs(SlurmPeer slurm, Path dir)
                throws IOException
        {
            this.slurm = slurm;
            this.script = dir.resolve("job.sh");
            Files.writeString(script, JOB);
            this.marks = Files.createDirectories(dir.resolve("marks"));
            this.output = Files.createDirectories(dir.resolve("output")).resolve("%j.out").toString();
        }

        /** Submit to the script's first line, job by job, each on a node with nothing else to do; after one untimed job. */
        Samples dispatch(int rounds)
                throws IOException, InterruptedException
        {
            submitAndAwait();
            Samples samples = new Samples();
            for (int i = 0; i < rounds; i++) {
                long submitted = epochNanos();
                Mark started = submitAndAwait();
                samples.add((started.nanos() - submitted) / 1e6);
            }
            return samples;
        }

        List<Row> submissions(Variant variant, int count)
                throws IOException, InterruptedException
        {
            List<Row> rows = new ArrayList<>();
            // One call for all: timed, then cancelled, so that its jobs do not queue before the loop's, whose drain is measured
            double arrayMillis = Processes.timed(List.of("sbatch", "--parsable", "--job-name=array", "--array=0-" + (count - 1), "--cpus-per-task=1",
                    "--output=" + output, script.toString()), marks, environment());
            slurm.cancel("array");
            slurm.awaitIdle(AT_MOST);

            Submitted loop = loop(count);
            double loopSeconds = (loop.returned() - loop.began()) / 1e9;
            rows.add(Row.single(NAME, label(variant, "`sbatch` one job per call, " + count + " in a shell loop"), "jobs/s", count / loopSeconds)
                    .note(String.format("%.1f ms a call on average", loopSeconds * 1000 / count)));
            rows.add(Row.single(NAME, label(variant, "one `sbatch --array=0-" + (count - 1) + "`"), "jobs/s", count / (arrayMillis / 1000))
                    .note(String.format("the command itself %.0f ms", arrayMillis)));

            long lastEnd = awaitEnded(loop.ids(), Duration.ofSeconds(60 + 5L * count));
            rows.add(Row.single(NAME, label(variant, "the loop's " + count + " jobs, first `sbatch` → last job ended"), "jobs/s",
                    count / ((lastEnd - loop.began()) / 1e9)).note("two at a time, one CPU each"));
            slurm.awaitIdle(AT_MOST);
            return rows;
        }

        /** Submits one job and waits until it has ended and Slurm holds nothing; returns its start. */
        private Mark submitAndAwait()
                throws IOException, InterruptedException
        {
            String id = jobId(slurm.submit(List.of("--job-name=one", "--cpus-per-task=1", "--output=" + output, script.toString()), environment()));
            Mark started = await().atMost(AT_MOST).pollInterval(Duration.ofMillis(10)).until(() -> mark(id, "start"), Optional::isPresent).orElseThrow();
            awaitEnded(List.of(id), AT_MOST);
            slurm.awaitIdle(AT_MOST);
            return started;
        }

        /** Waits for every one of the jobs to have ended, each with its container's success; returns when the last ended (epoch ns). */
        private long awaitEnded(List<String> ids, Duration atMost)
        {
            Set<String> waiting = new HashSet<>(ids);
            Map<String, Mark> ended = new HashMap<>();
            AtomicLong idleChecked = new AtomicLong(System.nanoTime());
            await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (String id : List.copyOf(waiting)) {
                    Optional<Mark> end = mark(id, "end");
                    if (end.isPresent()) {
                        if (end.get().status() != 0) {
                            throw new IllegalStateException("Slurm job " + id + ": its container exited with " + end.get().status()
                                    + "; its output is in " + Path.of(output).getParent());
                        }
                        ended.put(id, end.get());
                        waiting.remove(id);
                    }
                }
                if (!waiting.isEmpty() && System.nanoTime() - idleChecked.get() >= IDLE_CHECK.toNanos()) {
                    idleChecked.set(System.nanoTime());
                    // The marks looked at again after squeue: a job may have ended in between
                    if (slurm.idle() && waiting.stream().noneMatch(id -> mark(id, "end").isPresent())) {
                        throw new IllegalStateException("Slurm holds no job, yet " + waiting.size() + " never ended, such as " + waiting.iterator().next()
                                + "; see Slurm's logs and the jobs' output in " + Path.of(output).getParent().getParent());
                    }
                }
                return waiting.isEmpty();
            });
            return ended.values().stream().mapToLong(Mark::nanos).max().orElseThrow();
        }

        /** Runs the shell loop of {@code count} sbatch calls. */
        private Submitted loop(int count)
                throws IOException, InterruptedException
        {
            Path ids = marks.resolve("loop.ids");
            ProcessBuilder builder = new ProcessBuilder("sh", "-c", LOOP).directory(marks.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().putAll(environment());
            builder.environment().putAll(Map.of("COUNT", String.valueOf(count), "OUTPUT", output, "JOB", script.toString(), "IDS", ids.toString()));
            Process process = builder.start();
            String[] times = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split(" ");
            if (process.waitFor() != 0) {
                throw new IllegalStateException("the loop of sbatch exited with " + process.exitValue());
            }
            return new Submitted(Files.readAllLines(ids).stream().map(SlurmScenario::jobId).toList(), Long.parseLong(times[0]), Long.parseLong(times[1]));
        }

        /** The cluster's, and where the jobs mark their times, which each job's environment carries from sbatch's. */
        private Map<String, String> environment()
        {
            Map<String, String> environment = new HashMap<>(slurm.environment());
            environment.put("MARKS", marks.toString());
            return environment;
        }

        private Optional<Mark> mark(String id, String kind)
        {
            Path file = marks.resolve(id + "." + kind);
            try {
                String[] fields = Files.readString(file).strip().split(" ");
                return Optional.of(new Mark(Long.parseLong(fields[0]), fields.length > 1 ? Integer.parseInt(fields[1]) : 0));
            }
            catch (NoSuchFileException e) {
                return Optional.empty();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A job's mark: when (epoch ns) and, for its end, its container's exit status. */
    private record Mark(long nanos, int status) {}

    /** The loop's jobs, and when it began and returned (epoch ns). */
    private record Submitted(List<String> ids, long began, long returned) {}

    private static String label(Variant variant, String figure)
    {
        return "Slurm (" + variant.label() + "): " + figure;
    }

    /** What {@code sbatch --parsable} prints: the id, then the cluster's name after a ';' where there is one. */
    private static String jobId(String parsable)
    {
        int separator = parsable.indexOf(';');
        return separator < 0 ? parsable : parsable.substring(0, separator);
    }

    private static long epochNanos()
    {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The job's image, on this machine's own engine, where {@code docker run} finds it. */
    private static void requireImage()
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder("docker", "image", "inspect", LocalSwarm.IMAGE).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(LocalSwarm.IMAGE + " is not on this machine's Docker engine, where Slurm's jobs run it: scripts/setup-local.sh makes it");
        }
    }
}
