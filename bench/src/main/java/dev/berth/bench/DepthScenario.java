package dev.berth.bench;

import dev.berth.cli.BerthCli;
import dev.berth.config.BerthConfig;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.TaskSnapshot;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * A deep queue while a few jobs run: most jobs written straight into the state database before the
 * daemon starts (as if it had taken them off SQS), the rest sent through SQS, all runnable, each
 * taking a CPU for 15 to 25 s, so the test bed's nodes run a few at a time and the rest wait in
 * berth's queue. Meanwhile it samples what a deep queue could hurt: Swarm's service-create latency (a
 * raw probe, against the same probe on the idle swarm before), how many of berth's services wait in
 * Swarm, the daemon's memory, and how long {@code berth list} takes. (How fast berth starts jobs is
 * the throughput scenario's; churning containers here would measure the test bed's CPU, which its
 * workers share with the manager, rather than the queue's depth.)
 */
final class DepthScenario
        implements Scenario
{
    private static final int PENDING_CAP = 8;
    private static final int SENT_THROUGH_SQS = 5_000;
    private static final int SHALLOW = 1_000;

    @Override
    public String name()
    {
        return "depth";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int deep = bench.size(100_000, 5_000);
        int seconds = bench.size(120, 30);
        Samples idleCreate = new Samples();
        Path rawDir = RawSwarm.jobRoot(bench.work().resolve(name()).resolve("raw"));
        for (int i = 1; i <= 10; i++) {
            idleCreate.add(probeCreate(bench.raw(), rawDir, "raw-idle-probe-" + i));
        }
        List<Row> rows = new ArrayList<>();
        rows.add(Row.of(name(), "Swarm service create, idle swarm", "ms", idleCreate));
        // The same fleet kept as busy by the same jobs, from a shallow queue: the difference is what depth alone costs
        Phase shallow = measure(bench, "shallow", Optional.empty(), SHALLOW, seconds / 2);
        Phase deepQueue = measure(bench, "deep", Optional.empty(), deep, seconds);
        rows.addAll(shallow.rows(name(), Optional.empty()));
        rows.addAll(deepQueue.rows(name(), Optional.of(shallow)));
        if (bench.beforeClasspath().isPresent()) {
            rows.addAll(measure(bench, "before", bench.beforeClasspath(), deep, seconds).rows(name(), Optional.of(shallow)));
        }
        return rows;
    }

    /** What one queue depth cost, sampled while its jobs drained. */
    private record Phase(String label, int jobs, Samples create, Samples listProcess, Samples listDirect, Samples listInProcess, Samples metrics,
            Samples rss, int maxPending, int maxRunning)
    {
        List<Row> rows(String scenario, Optional<Phase> shallow)
        {
            String queued = String.format("%,d jobs queued", jobs) + (label.equals("before") ? " (before)" : "");
            List<Row> rows = new ArrayList<>();
            Row create = Row.of(scenario, "Swarm service create, " + queued, "ms", this.create);
            rows.add(shallow.map(base -> create.target("median ≤ 1.5 × with " + String.format("%,d", base.jobs()) + " queued",
                    this.create.median() <= 1.5 * base.create().median())).orElse(create));
            rows.add(Row.single(scenario, "berth's services waiting in Swarm, most seen, " + queued, "services", maxPending)
                    .target("≤ pending cap " + PENDING_CAP, maxPending <= PENDING_CAP));
            if (listDirect.count() > 0) {
                rows.add(Row.of(scenario, "`berth list`, a new process, answered by the daemon, " + queued, "ms", listProcess)
                        .target("≤ 300 ms", listProcess.p99() <= 300));
                rows.add(Row.of(scenario, "`berth list`, a new process reading the database itself, " + queued, "ms", listDirect)
                        .note("BERTH_CLI_DIRECT=1, as with no daemon"));
            }
            else {
                rows.add(Row.of(scenario, "`berth list`, a new process, " + queued, "ms", listProcess).target("≤ 300 ms", listProcess.p99() <= 300));
            }
            if (listInProcess.count() > 0) {
                rows.add(Row.of(scenario, "`berth list`, in the same JVM, " + queued, "ms", listInProcess).target("≤ 300 ms", listInProcess.p99() <= 300));
            }
            if (metrics.count() > 0) {
                rows.add(Row.of(scenario, "`GET /metrics`, " + queued, "ms", metrics).target("p99 ≤ 50 ms", metrics.p99() <= 50)
                        .note("as Prometheus scrapes it: the count by state, a node and a task listing, the heartbeats"));
            }
            rows.add(Row.of(scenario, "`berth serve` memory (RSS), " + queued, "MB", rss)
                    .target("peak ≤ 512 MB", rss.max() <= 512)
                    .note(String.format("peak %.0f MB", rss.max())));
            rows.add(Row.single(scenario, "berth's jobs running, most seen, " + queued, "jobs", maxRunning));
            return rows;
        }
    }

    private Phase measure(Bench bench, String label, Optional<String> classpath, int jobs, int seconds)
            throws Exception
    {
        Path dir = bench.work().resolve(name() + "-" + label);
        Path rawDir = RawSwarm.jobRoot(dir.resolve("raw"));
        Samples create = new Samples();
        Samples listProcess = new Samples();
        Samples listDirect = new Samples();
        Samples listInProcess = new Samples();
        Samples metrics = new Samples();
        Samples rss = new Samples();
        int maxPending = 0;
        int maxRunning = 0;
        try (GitRepos repo = Bench.noOpRepository(dir.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0, dir.resolve("sqs"))) {
            int preloaded = jobs - Math.min(SENT_THROUGH_SQS, jobs / 2);
            BerthUnderTest.preload(dir.resolve("berth"), IntStream.rangeClosed(1, preloaded).mapToObj(i -> Requests.busy(repo.fileUrl(), "deep-" + i)).toList());
            try (BerthUnderTest berth = BerthUnderTest.start(dir.resolve("berth"), sqs.endpoint(), bench.testbed().managerDockerHost(), Map.of(), classpath);
                    SwarmClient swarm = new SwarmClient(bench.testbed().managerDockerHost())) {
                berth.queue().sendAll(Requests.outgoing(IntStream.rangeClosed(preloaded + 1, jobs)
                        .mapToObj(i -> Requests.busy(repo.fileUrl(), "deep-" + i)).toList()), "bench");
                String instance = berth.store().instanceId();
                // Sampled once the fleet runs its few: every job recorded and berth's first services all started. The
                // daemon's first seconds (its own start, the intake of the jobs sent through SQS, the first few
                // containers starting together) are not the steady state of a deep queue while a few run.
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                        .until(() -> berth.stored() == jobs && allStarted(swarm.tasks(instance)));
                List<String> list = listCommand(bench, classpath, berth);
                // The first run of a command after a build writes its class-data archive, and the first in this JVM loads
                // its classes: one-offs, not a user's every run
                Processes.timed(list, bench.projectRoot());
                // An earlier build may answer no /metrics
                Optional<URI> metricsUri = classpath.isEmpty() ? Optional.of(berth.webUri().resolve("/metrics")) : Optional.empty();
                HttpClient http = HttpClient.newHttpClient();
                if (classpath.isEmpty()) {
                    listInProcess(berth.stateDir());
                    scrape(http, metricsUri.get());
                }
                long start = System.nanoTime();
                for (int tick = 0; (System.nanoTime() - start) / 1_000_000_000L < seconds; tick++) {
                    long tickStart = System.nanoTime();
                    // First in its tick, a second after the last create probe: a user's list does not follow the
                    // start of a service (the probe's) by a few milliseconds, and that start is not what is measured
                    if (tick % 3 == 0) {
                        listProcess.add(Processes.timed(list, bench.projectRoot()));
                    }
                    else if (tick % 3 == 1 && classpath.isEmpty()) {
                        listDirect.add(Processes.timed(list, bench.projectRoot(), Map.of("BERTH_CLI_DIRECT", "1")));
                    }
                    rss.add(memory(berth.pid(), "VmRSS") / 1024.0);
                    List<TaskSnapshot> tasks = swarm.tasks(instance);
                    maxPending = Math.max(maxPending, (int) tasks.stream().filter(task -> !task.running() && !task.ended()).count());
                    maxRunning = Math.max(maxRunning, (int) tasks.stream().filter(TaskSnapshot::running).count());
                    if (tick % 2 == 0) {
                        create.add(probeCreate(bench.raw(), rawDir, "raw-" + label + "-probe-" + tick));
                    }
                    if (classpath.isEmpty()) {
                        listInProcess.add(listInProcess(berth.stateDir()));
                        metrics.add(scrape(http, metricsUri.get()));
                    }
                    Thread.sleep(Math.max(0, 1000 - (System.nanoTime() - tickStart) / 1_000_000));
                }
                rss.add(memory(berth.pid(), "VmHWM") / 1024.0);
            }
            // The next phase's berth starts from an empty swarm, as this one did
            bench.raw().removeEverything();
        }
        return new Phase(label, jobs, create, listProcess, listDirect, listInProcess, metrics, rss, maxPending, maxRunning);
    }

    private static boolean allStarted(List<TaskSnapshot> tasks)
    {
        return tasks.stream().anyMatch(TaskSnapshot::running) && tasks.stream().allMatch(task -> task.running() || task.ended());
    }

    /** How a user types it: the launcher at the project's root, or for an earlier build, its jar as it was run then. */
    private static List<String> listCommand(Bench bench, Optional<String> classpath, BerthUnderTest berth)
    {
        String stateDir = "--state-dir=" + berth.stateDir();
        return classpath
                .map(path -> List.of("java", "-cp", path, "dev.berth.cli.Main", "list", stateDir))
                .orElseGet(() -> List.of(bench.projectRoot().resolve("berth").toString(), "list", stateDir));
    }

    private static double listInProcess(Path stateDir)
    {
        PrintWriter discard = new PrintWriter(Writer.nullWriter());
        long start = System.nanoTime();
        int exit = BerthCli.standard(BerthConfig.environment()).execute(discard, discard, "list", "--state-dir=" + stateDir);
        if (exit != 0) {
            throw new IllegalStateException("berth list exited with " + exit);
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /** One scrape of berth's metrics, as Prometheus makes it, in milliseconds. */
    private static double scrape(HttpClient http, URI metrics)
            throws IOException, InterruptedException
    {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
        double millis = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + metrics + " answered " + response.statusCode() + ": " + response.body());
        }
        return millis;
    }

    private static double probeCreate(RawSwarm raw, Path dir, String service)
            throws IOException
    {
        long start = System.nanoTime();
        raw.create(service, LocalSwarm.IMAGE, dir);
        double millis = (System.nanoTime() - start) / 1e6;
        raw.remove(service);
        return millis;
    }

    /** A field of /proc/PID/status, in kB. */
    static long memory(long pid, String field)
            throws IOException
    {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith(field + ":"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + field + " for process " + pid));
    }
}
