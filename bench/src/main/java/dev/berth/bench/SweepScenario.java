package dev.berth.bench;

import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.testing.GitRepos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A sweep: many no-op jobs of one commit sent at once, timed until all have succeeded, of a repository of
 * 2,000 files of 20 KB and of a one-file one, beside the baseline's same number of services. Each round's
 * commit is new to berth, as a sweep follows a push: its first job fetches it and writes its snapshot, and
 * every attempt sees it through an overlay of its own. The same sweep with snapshots off (a full checkout
 * per attempt) once, for reference. Then, in a JVM of its own, what preparing a commit takes: its first
 * preparation against the git CLI's checkout, and an attempt's once the commit is prepared.
 */
final class SweepScenario
        implements Scenario
{
    static final int FILES = 2000;
    /** About 136 bytes a line: 20 KB a file. */
    static final GeneratedRepository LARGE = new GeneratedRepository(FILES, 3, 147, 1);
    private static final Duration POLL = Duration.ofMillis(100);

    @Override
    public String name()
    {
        return "sweep";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int jobs = bench.size(500, 40);
        int warmUp = bench.size(50, 10);
        int rounds = bench.size(2, 1);
        Path dir = bench.work().resolve(name());
        Path large = dir.resolve("large");
        long packed = LARGE.generate(large);
        GeneratedRepository.commitExecutable(large, Requests.NO_OP_ENTRYPOINT, Requests.NO_OP_SCRIPT);
        long treeBytes = GeneratedRepository.treeBytes(large);
        String largeUrl = large.toUri().toString().replaceFirst("^file:/+", "file:///");
        Path rawDir = RawSwarm.jobRoot(dir.resolve("raw"));
        Samples largeRates = new Samples();
        Samples oneFileRates = new Samples();
        Samples rawRates = new Samples();
        Samples vsOneFile = new Samples();
        Samples vsRaw = new Samples();
        double offRate;
        String overlays;
        List<String> fallBacks = new ArrayList<>();
        try (GitRepos oneFile = GitRepos.create(dir.resolve("one-file"))) {
            oneFile.commit(Map.of(Requests.NO_OP_ENTRYPOINT, Requests.NO_OP_SCRIPT));
            try (Daemon berth = Daemon.start(bench, dir.resolve("berth"), Map.of())) {
                berth.sweep("warm-up-large-", largeUrl, warmUp);
                berth.sweep("warm-up-one-file-", oneFile.fileUrl(), warmUp);
                ThroughputScenario.raw(bench, rawDir, "raw-warm-up-", warmUp);
                for (int round = 1; round <= rounds; round++) {
                    String change = Requests.NO_OP_SCRIPT + "# sweep " + round + "\n";
                    GeneratedRepository.commitExecutable(large, Requests.NO_OP_ENTRYPOINT, change);
                    oneFile.commit(Map.of(Requests.NO_OP_ENTRYPOINT, change));
                    // Reversed in even rounds, so that a slow spell of the machine weighs on each alike
                    boolean rawFirst = round % 2 == 0;
                    double rawRate = rawFirst ? ThroughputScenario.raw(bench, rawDir, "raw-round-" + round + "-", jobs) : 0;
                    double largeRate;
                    double oneFileRate;
                    if (rawFirst) {
                        oneFileRate = berth.sweep("one-file-round-" + round + "-", oneFile.fileUrl(), jobs);
                        largeRate = berth.sweep("large-round-" + round + "-", largeUrl, jobs);
                    }
                    else {
                        largeRate = berth.sweep("large-round-" + round + "-", largeUrl, jobs);
                        oneFileRate = berth.sweep("one-file-round-" + round + "-", oneFile.fileUrl(), jobs);
                        rawRate = ThroughputScenario.raw(bench, rawDir, "raw-round-" + round + "-", jobs);
                    }
                    largeRates.add(largeRate);
                    oneFileRates.add(oneFileRate);
                    rawRates.add(rawRate);
                    vsOneFile.add(largeRate / oneFileRate);
                    vsRaw.add(largeRate / rawRate);
                }
                overlays = berth.overlaysAndSnapshots();
                fallBacks.addAll(berth.fallBacks());
            }
            try (Daemon off = Daemon.start(bench, dir.resolve("berth-full-checkouts"), Map.of("BERTH_SNAPSHOT_CAP", "off"))) {
                off.sweep("warm-up-large-", largeUrl, warmUp);
                GeneratedRepository.commitExecutable(large, Requests.NO_OP_ENTRYPOINT, Requests.NO_OP_SCRIPT + "# sweep without snapshots\n");
                offRate = off.sweep("large-", largeUrl, jobs);
            }
        }
        Map<String, Samples> preparation = probe(dir.resolve("preparation"), largeUrl, bench.size(15, 3), bench.size(200, 20));
        Samples first = preparation.get("snapshot-first");
        Samples git = preparation.get("git-checkout");
        Samples again = preparation.get("snapshot-again");

        String size = String.format("%d files, %.0f MB checked out, %.0f MB of history", FILES, treeBytes / 1e6, packed / 1e6);
        String roundsNote = rounds == 1 ? "one round" : rounds + " rounds, taking turns with the one-file sweep and raw";
        return List.of(
                Row.of(name(), "berth: " + jobs + " jobs of one commit of " + FILES + " files, to all succeeded (snapshots, the default)", "jobs/s",
                        largeRates).note(size + "; " + roundsNote + "; " + overlays
                                + (fallBacks.isEmpty() ? "" : "; serve.log: " + String.join(" / ", fallBacks))),
                Row.single(name(), "berth: the same with BERTH_SNAPSHOT_CAP=off (a full checkout per attempt, as before)", "jobs/s", offRate)
                        .note("one round, after the rest, its own berth serve (warmed up alike)"),
                Row.of(name(), "berth: " + jobs + " jobs of one commit of a one-file repository", "jobs/s", oneFileRates),
                Row.of(name(), "raw: " + jobs + " services, at most " + ThroughputScenario.PENDING_CAP + " waiting to start", "jobs/s", rawRates),
                Row.of(name(), FILES + " files ÷ one file, round by round", "ratio", vsOneFile).target("median ≥ 0.9", vsOneFile.median() >= 0.9),
                Row.of(name(), FILES + " files ÷ raw, round by round", "ratio", vsRaw).target("median ≥ 0.85", vsRaw.median() >= 0.85),
                Row.of(name(), "berth: a commit's first preparation, its snapshot into an empty snapshots dir", "ms", first)
                        .target("≤ 1.2 × git", first.median() <= 1.2 * git.median()),
                Row.of(name(), "git: clone --shared --no-checkout, then checkout --detach", "ms", git),
                Row.of(name(), "berth: a full checkout of the commit, an attempt's with snapshots off", "ms", preparation.get("full-checkout")),
                Row.of(name(), "berth: an attempt of a commit already prepared, its snapshot found and its overlay dirs made", "ms", again)
                        .target("median ≤ 20 ms", again.median() <= 20));
    }

    private static Map<String, Samples> probe(Path dir, String url, int rounds, int attempts)
            throws IOException, InterruptedException
    {
        Path gitMirror = dir.resolve("git-mirror.git");
        Files.createDirectories(dir);
        GeneratedRepository.git(dir, "clone", "-q", "--mirror", url, gitMirror.toString());
        return RepositoryScenario.runProbe(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SnapshotProbe.class.getName(), dir.resolve("mirrors").toString(), url, "main",
                gitMirror.toString(), dir.resolve("work").toString(), Integer.toString(rounds), Integer.toString(attempts)), dir.resolve("probe.log"));
    }

    /** One berth serve that runs sweeps of no-op jobs. */
    static final class Daemon
            implements AutoCloseable
    {
        private final Path root;
        private final EmbeddedSqs sqs;
        private final BerthUnderTest berth;
        private int sent;

        private Daemon(Path root, EmbeddedSqs sqs, BerthUnderTest berth)
        {
            this.root = root;
            this.sqs = sqs;
            this.berth = berth;
        }

        static Daemon start(Bench bench, Path root, Map<String, String> overrides)
                throws Exception
        {
            return start(bench, root, overrides, List.of());
        }

        /** With {@code stored} in its state database before it starts, as if taken off the queue. */
        static Daemon start(Bench bench, Path root, Map<String, String> overrides, List<String> stored)
                throws Exception
        {
            if (!stored.isEmpty()) {
                BerthUnderTest.preload(root.resolve("berth"), stored);
            }
            EmbeddedSqs sqs = EmbeddedSqs.start(0, root.resolve("sqs"));
            return new Daemon(root, sqs, BerthUnderTest.start(root.resolve("berth"), sqs.endpoint(), bench.testbed().managerDockerHost(), overrides,
                    Optional.empty()));
        }

        long pid()
        {
            return berth.pid();
        }

        /** Sends {@code jobs} no-op jobs of the tip of the repository's main at once; returns jobs/s until all have succeeded. */
        double sweep(String prefix, String repoUrl, int jobs)
                throws Exception
        {
            List<String> requests = IntStream.rangeClosed(1, jobs).mapToObj(i -> Requests.noOp(repoUrl, prefix + i)).toList();
            int expected = sent + jobs;
            long start = System.nanoTime();
            berth.queue().sendAll(Requests.outgoing(requests), "bench");
            await().atMost(Duration.ofMinutes(20)).pollInterval(POLL).until(() -> {
                int failed = berth.count(JobState.FAILED);
                if (failed > 0) {
                    throw new IllegalStateException(failed + " no-op jobs failed; see " + root.resolve("berth"));
                }
                return berth.count(JobState.SUCCEEDED) == expected;
            });
            sent = expected;
            double rate = jobs / ((System.nanoTime() - start) / 1e9);
            System.err.printf("bench:   %s%d: %.2f jobs/s%n", prefix, jobs, rate);
            return rate;
        }

        /** How many attempts ran on an overlay, of how many, and how many snapshots were written. */
        String overlaysAndSnapshots()
                throws IOException
        {
            Path shared = root.resolve("berth").resolve("shared");
            long attempts;
            long onOverlays;
            try (Stream<Path> runs = Files.list(shared.resolve("runs"))) {
                List<Path> attemptDirs = runs.flatMap(SweepScenario::attemptDirs).toList();
                attempts = attemptDirs.size();
                onOverlays = attemptDirs.stream().filter(attempt -> Files.isDirectory(attempt.resolve(".overlay"), LinkOption.NOFOLLOW_LINKS)).count();
            }
            long snapshots;
            try (Stream<Path> built = Files.list(shared.resolve("snapshots"))) {
                snapshots = built.filter(snapshot -> snapshot.getFileName().toString().matches("[0-9a-f]{40}")).count();
            }
            return onOverlays + " of " + attempts + " attempts on an overlay, " + snapshots + " snapshots written";
        }

        /** What berth serve said when a worker could not mount an overlay. */
        List<String> fallBacks()
                throws IOException
        {
            return berth.logs().lines().filter(line -> line.contains("Falling back") || line.contains("full checkout")).limit(3).toList();
        }

        @Override
        public void close()
                throws Exception
        {
            try (sqs) {
                berth.close();
            }
        }
    }

    private static Stream<Path> attemptDirs(Path runDir)
    {
        try {
            Path attempts = runDir.resolve("attempts");
            return Files.isDirectory(attempts) ? Files.list(attempts).toList().stream() : Stream.empty();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
