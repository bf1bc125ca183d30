package dev.berth.bench;

import dev.berth.testing.GitDaemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A repository of tens of MB served by {@code git daemon} on 127.0.0.1: a mirror update when nothing
 * changed, and a job's checkout of a commit, berth (JGit) against the git CLI doing the same.
 */
final class RepositoryScenario
        implements Scenario
{
    private static final int FILES = 2000;
    private static final int COMMITS = 15;
    private static final GeneratedRepository REPOSITORY = new GeneratedRepository(FILES, COMMITS, 40, 160);

    @Override
    public String name()
    {
        return "repositories";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int rounds = bench.size(25, 5);
        Path dir = bench.work().resolve(name());
        Path served = dir.resolve("served");
        long bytes = REPOSITORY.generate(served.resolve("large"));
        List<Row> rows = new ArrayList<>();
        try (GitDaemon daemon = GitDaemon.serve(served, dir.resolve("git-daemon.log"))) {
            String url = daemon.url("large");
            Map<String, Samples> after = probe(dir.resolve("after"), url, System.getProperty("java.class.path"), rounds, false);
            Samples update = after.get("berth-update");
            Samples fetch = after.get("git-fetch");
            Samples checkout = after.get("berth-checkout");
            Samples gitCheckout = after.get("git-checkout");
            String size = String.format("%d files, %d commits, %.0f MB of history", FILES, COMMITS, bytes / 1e6);
            rows.add(Row.of(name(), "berth: mirror update, nothing new", "ms", update)
                    .target("≤ 50 ms and ≤ 1.2 × git", update.median() <= 50 && update.median() <= 1.2 * fetch.median()).note(size));
            rows.add(Row.of(name(), "git: fetch into an up-to-date mirror", "ms", fetch));
            rows.add(Row.of(name(), "berth: checkout of a commit into a fresh dir", "ms", checkout)
                    .target("≤ 1.2 × git", checkout.median() <= 1.2 * gitCheckout.median()));
            rows.add(Row.of(name(), "git: clone --shared --no-checkout, then checkout", "ms", gitCheckout));
            if (bench.beforeClasspath().isPresent()) {
                String probeClasses = Path.of(RepositoryProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                Map<String, Samples> before = probe(dir.resolve("before"), url, bench.beforeClasspath().get() + ":" + probeClasses, rounds, true);
                rows.add(Row.of(name(), "berth: checkout of a commit into a fresh dir (before)", "ms", before.get("berth-checkout")));
                rows.add(Row.of(name(), "git: clone --shared --no-checkout, then checkout (beside before)", "ms", before.get("git-checkout")));
            }
        }
        return rows;
    }

    private static Map<String, Samples> probe(Path dir, String url, String classpath, int rounds, boolean checkoutOnly)
            throws IOException, InterruptedException
    {
        Path gitMirror = dir.resolve("git-mirror.git");
        Files.createDirectories(dir);
        GeneratedRepository.git(dir, "clone", "-q", "--mirror", url, gitMirror.toString());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                RepositoryProbe.class.getName(), dir.resolve("mirrors").toString(), url, "main", gitMirror.toString(), dir.resolve("work").toString(),
                Integer.toString(rounds)));
        if (checkoutOnly) {
            command.add("checkout-only");
        }
        return runProbe(command, dir.resolve("probe.log"));
    }

    /** Runs a probe's JVM and gathers what it prints, a line {@code FIGURE MILLIS} per measurement, by figure. */
    static Map<String, Samples> runProbe(List<String> command, Path log)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        Map<String, Samples> samples = new HashMap<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String[] fields = line.split(" ");
                if (fields.length == 2) {
                    samples.computeIfAbsent(fields[0], ignored -> new Samples()).add(Double.parseDouble(fields[1]));
                }
            }
        }
        if (process.waitFor() != 0) {
            throw new IllegalStateException("probe " + command.get(3) + " failed; see " + log);
        }
        return samples;
    }
}
