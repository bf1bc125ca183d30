package dev.berth.testing;

import dev.berth.queue.QueueEndpoint;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * {@code berth serve} as its own operating-system process, on the test's classpath, so a test can
 * kill it with SIGKILL mid-flight and start it again on the same state, as an operator's reboot would.
 */
public final class BerthProcess
        implements AutoCloseable
{
    private static final Pattern WEB_URI = Pattern.compile("berth serve: dashboard, API and metrics on (\\S+)");

    private final Map<String, String> environment;
    private final Path log;
    private final String classpath;
    private Process process;
    private int starts;

    public BerthProcess(Map<String, String> environment, Path log)
    {
        this(environment, log, System.getProperty("java.class.path"));
    }

    /** A daemon run from {@code classpath}, such as another build's jar, for comparing builds. */
    public BerthProcess(Map<String, String> environment, Path log, String classpath)
    {
        this.environment = new HashMap<>(environment);
        this.log = log;
        this.classpath = classpath;
    }

    /**
     * Settings for a daemon with its state and shared dirs under {@code root}, fed by {@code queue} (which runs
     * outside it, as SQS does, so messages in flight survive the daemon), running small jobs on the local swarm.
     * Tests change what their scenario needs.
     */
    public static Map<String, String> settings(Path root, QueueEndpoint queue)
    {
        Map<String, String> settings = settings(root);
        settings.put("BERTH_QUEUE_URL", queue.queueUrl());
        settings.put("BERTH_DLQ_URL", queue.deadLetterQueueUrl());
        settings.put("BERTH_SQS_ENDPOINT", queue.endpoint().orElseThrow().toString());
        settings.put("BERTH_SQS_REGION", queue.region());
        settings.put("AWS_ACCESS_KEY_ID", "test");
        settings.put("AWS_SECRET_ACCESS_KEY", "test");
        return settings;
    }

    /** Settings for a daemon on its embedded default: the queue runs inside it, and the CLI finds it through the state dir. */
    public static Map<String, String> settings(Path root)
    {
        Map<String, String> settings = new HashMap<>();
        settings.put("BERTH_STATE_DIR", root.resolve("state").toString());
        settings.put("BERTH_SHARED_DIR", root.resolve("shared").toString());
        settings.put("BERTH_POLL_INTERVAL", "200ms");
        settings.put("BERTH_DEFAULT_IMAGE", LocalSwarm.IMAGE);
        // Any free port: tests run several daemons at once, and 8080 may be taken
        settings.put("BERTH_HTTP_ADDRESS", "127.0.0.1:0");
        settings.put("BERTH_DEFAULT_CPUS", "0.1");
        settings.put("BERTH_DEFAULT_MEMORY", "32m");
        return settings;
    }

    /** Changes a setting for the next start, as an operator editing the daemon's config would. */
    public void set(String key, String value)
    {
        if (value == null) {
            environment.remove(key);
        }
        else {
            environment.put(key, value);
        }
    }

    /** Starts the daemon and waits until it says it serves. */
    public void start()
            throws IOException
    {
        Path startLog = log.resolveSibling(log.getFileName() + "." + (++starts));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // as the berth launcher runs it
                "-XX:TieredStopAtLevel=1",
                "-cp", classpath,
                "dev.berth.cli.Main", "serve", "--queue-port", "0", "--long-poll", "1s"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(startLog.toFile());
        builder.environment().putAll(environment);
        process = builder.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("berth serve exited with " + process.exitValue() + ":\n" + Files.readString(startLog));
            }
            return Files.readString(startLog).contains("berth serve: queue");
        });
    }

    /** Where this start of the daemon answers HTTP, as it printed it (the settings ask for any free port). */
    public URI webUri()
    {
        Path startLog = log.resolveSibling(log.getFileName() + "." + starts);
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Matcher matcher = WEB_URI.matcher(Files.readString(startLog));
            return matcher.find() ? Optional.of(URI.create(matcher.group(1))) : Optional.<URI>empty();
        }, Optional::isPresent).orElseThrow();
    }

    /** SIGKILL: no shutdown hook, no cleanup, exactly what a crash or power loss leaves. */
    public void kill()
            throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: the daemon's shutdown hook runs, as with {@code systemctl restart}. */
    public void stop()
            throws InterruptedException
    {
        process.destroy();
        process.waitFor();
    }

    /** Waits for the daemon to end by itself (a fail point halted it) and returns its exit code. */
    public int awaitExit()
            throws InterruptedException
    {
        return process.waitFor();
    }

    /** The daemon's process id, for reading what it costs the machine. */
    public long pid()
    {
        return process.pid();
    }

    public boolean alive()
    {
        return process != null && process.isAlive();
    }

    /** Everything every run of the daemon logged, in order. */
    public String logs()
            throws IOException
    {
        StringBuilder all = new StringBuilder();
        for (int i = 1; i <= starts; i++) {
            all.append(Files.readString(log.resolveSibling(log.getFileName() + "." + i)));
        }
        return all.toString();
    }

    @Override
    public void close()
            throws InterruptedException
    {
        if (alive()) {
            process.destroy();
            process.waitFor();
        }
    }
}
