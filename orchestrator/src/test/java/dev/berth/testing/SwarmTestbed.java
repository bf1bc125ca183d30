package dev.berth.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * A Swarm of one manager and several workers on this machine, each its own dockerd in its own network
 * namespace, brought up by {@code testbed/swarm.sh}. The host's default dockerd is left alone.
 * Needs root. {@link #close()} tears everything down, also after a failed test.
 */
public final class SwarmTestbed
        implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SwarmTestbed.class);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

    private final Path script;
    private final Path baseDir;
    private final String managerDockerHost;
    private final List<String> workers;

    private SwarmTestbed(Path script, Path baseDir, String managerDockerHost, List<String> workers)
    {
        this.script = requireNonNull(script, "script is null");
        this.baseDir = requireNonNull(baseDir, "baseDir is null");
        this.managerDockerHost = requireNonNull(managerDockerHost, "managerDockerHost is null");
        this.workers = List.copyOf(workers);
    }

    /** Brings up a fresh test bed, replacing any left over; workers get the pools round-robin and GPUs of kind {@code GPU}. */
    public static SwarmTestbed start(int workers, List<String> pools, int gpusPerWorker)
    {
        return start(workers, pools, gpusPerWorker, Duration.ofSeconds(5));
    }

    /**
     * Like {@link #start(int, List, int)} with Swarm's dispatcher heartbeat set: a killed worker is reported down
     * after about three heartbeats, so tests of node loss can use one second where Swarm's default is five.
     */
    public static SwarmTestbed start(int workers, List<String> pools, int gpusPerWorker, Duration heartbeat)
    {
        return start(workers, pools, gpusPerWorker, heartbeat, JobNetwork.NONE);
    }

    /** What a job container's network is on every node. */
    public enum JobNetwork
    {
        /** Loopback only: the test bed's default, the fastest to bring up. */
        NONE,
        /**
         * As on a fleet member: Docker's default bridge, and the iptables rules Docker manages (FORWARD,
         * DOCKER-USER, masquerade), each node's in its own network namespace, so a job reaches the other nodes.
         */
        BRIDGE
    }

    /** Like {@link #start(int, List, int, Duration)}, with jobs' containers on {@code jobNetwork}. */
    public static SwarmTestbed start(int workers, List<String> pools, int gpusPerWorker, Duration heartbeat, JobNetwork jobNetwork)
    {
        Path script = findScript();
        List<String> output;
        try {
            output = run(script, "up",
                    "--workers", Integer.toString(workers),
                    "--pools", String.join(",", pools),
                    "--gpus-per-worker", Integer.toString(gpusPerWorker),
                    "--heartbeat", heartbeat.toMillis() + "ms",
                    "--job-network", jobNetwork.name().toLowerCase(Locale.ROOT));
        }
        catch (RuntimeException e) {
            // A half-built test bed would otherwise hold namespaces and daemons until the next run.
            try {
                run(script, "down");
            }
            catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        Map<String, String> values = output.stream()
                .filter(line -> line.startsWith("BERTH_TESTBED_") && line.contains("="))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')), line -> line.substring(line.indexOf('=') + 1), (a, b) -> b));
        String workerList = values.getOrDefault("BERTH_TESTBED_WORKERS", "");
        return new SwarmTestbed(
                script,
                Path.of(required(values, "BERTH_TESTBED_DIR", output)),
                required(values, "BERTH_TESTBED_DOCKER_HOST", output),
                workerList.isEmpty() ? List.of() : Arrays.asList(workerList.split(",")));
    }

    /** The manager's Engine API endpoint, e.g. {@code unix:///run/berth-testbed/manager.sock}. */
    public String managerDockerHost()
    {
        return managerDockerHost;
    }

    /** Worker hostnames ({@code tb-worker-1}, ...), which are also their Swarm node names. */
    public List<String> workers()
    {
        return workers;
    }

    public Path baseDir()
    {
        return baseDir;
    }

    /** The script itself, for a scaler that adds and removes workers ({@code add-worker}, {@code remove-worker}). */
    public Path script()
    {
        return script;
    }

    /** The workers there are now, those added and removed since the start included (as {@code swarm.sh workers} lists them). */
    public List<String> currentWorkers()
    {
        return run(script, "workers").stream().filter(line -> !line.isBlank()).toList();
    }

    /** Kills every process of the node with SIGKILL, as a spot reclaim would: Swarm then marks it down. */
    public void killWorker(String name)
    {
        run(script, "kill-worker", name);
    }

    /** Sets the node's availability to drain, as berth would on a spot interruption notice. */
    public void drainWorker(String name)
    {
        run(script, "drain-worker", name);
    }

    /** Starts a killed worker's dockerd again; it rejoins the swarm as the same node. */
    public void restartWorker(String name)
    {
        run(script, "restart-worker", name);
    }

    /** The Engine API endpoint of one node, e.g. {@code unix:///run/berth-testbed/tb-worker-1.sock}. */
    public String dockerHost(String node)
    {
        return "unix://" + baseDir.resolve(node.equals("tb-manager") ? "manager.sock" : node + ".sock");
    }

    /** Runs a short command in the node's network namespace (as a process of that machine would), and returns its output. */
    public List<String> inNode(String node, String... command)
    {
        List<String> arguments = new ArrayList<>(List.of("exec-in", node));
        arguments.addAll(Arrays.asList(command));
        return run(script, arguments.toArray(String[]::new));
    }

    /**
     * Starts a long-running command in the node's network namespace with {@code environment} added to this
     * process's, its output in {@code log}. {@link #close()} ends it with the node, if the caller has not.
     */
    public Process startInNode(String node, Map<String, String> environment, Path log, String... command)
    {
        List<String> full = new ArrayList<>(List.of(script.toString(), "exec-in", node));
        full.addAll(Arrays.asList(command));
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        try {
            return builder.start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot run " + full, e);
        }
    }

    @Override
    public void close()
    {
        run(script, "down");
    }

    private static String required(Map<String, String> values, String key, List<String> output)
    {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("testbed/swarm.sh up did not print " + key + "; its output was:\n" + String.join("\n", output));
        }
        return value;
    }

    private static List<String> run(Path script, String... arguments)
    {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(Arrays.asList(arguments));
        List<String> output = new ArrayList<>();
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        // Read on a separate thread so that a hung script runs into the timeout instead of blocking the read.
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    LOG.info("[swarm.sh {}] {}", arguments[0], line);
                    synchronized (output) {
                        output.add(line);
                    }
                }
            }
            catch (IOException e) {
                LOG.warn("lost the output of {}", command, e);
            }
        }, "swarm.sh-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw failure(command, "did not finish within " + SCRIPT_TIMEOUT, output);
            }
            reader.join(SCRIPT_TIMEOUT.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
        if (process.exitValue() != 0) {
            throw failure(command, "failed with exit code " + process.exitValue(), output);
        }
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    private static IllegalStateException failure(List<String> command, String what, List<String> output)
    {
        synchronized (output) {
            return new IllegalStateException(String.join(" ", command) + " " + what + "; its output was:\n" + String.join("\n", output));
        }
    }

    private static Path findScript()
    {
        // Maven runs the tests from the module directory; the script sits at the repository root.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("testbed/swarm.sh");
            if (Files.isExecutable(script)) {
                return script;
            }
        }
        throw new IllegalStateException("testbed/swarm.sh not found in " + Path.of("").toAbsolutePath() + " or any parent directory");
    }
}
