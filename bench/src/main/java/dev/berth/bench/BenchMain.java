package dev.berth.bench;

import dev.berth.testing.SwarmTestbed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the scenarios on a fresh multi-node test bed and writes the results table. Usage:
 * {@code BenchMain --results DIR [--quick] [--before-jar JAR] [--workers N] [SCENARIO...]}; bench/run supplies the rest.
 */
public final class BenchMain
{
    private static final List<Scenario> SCENARIOS = List.of(
            new DispatchScenario(),
            new ThroughputScenario(),
            new DepthScenario(),
            new RepositoryScenario(),
            new SweepScenario(),
            new SweepDepthScenario(),
            new SubmissionScenario(),
            new SubmitPerProcessScenario(),
            new WebScenario(),
            new StoreScenario(),
            new AdmissionScenario(),
            new SlurmScenario());

    private BenchMain() {}

    private static int workers(String text)
    {
        if (!text.matches("[1-9]|1[0-9]|20")) {
            throw new IllegalArgumentException("--workers must be a number of workers from 1 to 20, got '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    public static void main(String[] args)
            throws Exception
    {
        Path results = null;
        boolean quick = false;
        // A manager and two workers by default: the test bed the figures in the table were measured on
        int workers = 2;
        Optional<String> before = Optional.empty();
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--results" -> results = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "--before-jar" -> before = Optional.of(Path.of(args[++i]).toAbsolutePath().toString());
                case "--workers" -> workers = workers(args[++i]);
                default -> chosen.add(args[i]);
            }
        }
        if (results == null) {
            throw new IllegalArgumentException("--results DIR is required");
        }
        Map<String, Scenario> byName = new LinkedHashMap<>();
        SCENARIOS.forEach(scenario -> byName.put(scenario.name(), scenario));
        for (String name : chosen) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("no scenario '" + name + "'; choose from " + byName.keySet());
            }
        }
        List<Scenario> toRun = chosen.isEmpty() ? SCENARIOS : chosen.stream().map(byName::get).toList();

        Path projectRoot = Path.of("").toAbsolutePath();
        Path jar = Path.of(System.getenv().getOrDefault("BERTH_JAR", projectRoot.resolve("orchestrator/target/berth.jar").toString()));
        Path work = Files.createTempDirectory("berth-bench");
        List<Row> rows = new ArrayList<>();
        System.err.println("bench: bringing up the test bed: a manager and " + workers + " workers");
        try (SwarmTestbed testbed = SwarmTestbed.start(workers, List.of("spot", "burst"), 1);
                RawSwarm raw = new RawSwarm(testbed.managerDockerHost())) {
            Map<String, String> machine = Machine.describe(raw);
            machine.put("test bed", "a manager and " + workers + " workers, one dockerd each, sharing the machine's cores");
            Bench bench = new Bench(work, testbed, raw, projectRoot, jar, before, quick);
            for (Scenario scenario : toRun) {
                System.err.println("bench: " + scenario.name());
                try {
                    rows.addAll(scenario.run(bench));
                }
                finally {
                    raw.removeEverything();
                }
                rows.stream().filter(row -> row.scenario().equals(scenario.name()))
                        .forEach(row -> System.err.printf("bench:   %s: median %.1f %s%n", row.figure(), row.median(), row.unit()));
            }
            Report report = new Report(ZonedDateTime.now(), machine, quick, toRun.size() == SCENARIOS.size(), rows);
            report.write(results);
            System.out.print(report.markdown());
        }
        finally {
            // Jobs' run dirs and a state database of 10^5 jobs: gigabytes no one reads after the run
            new ProcessBuilder("rm", "-rf", work.toString()).inheritIO().start().waitFor();
        }
    }
}
