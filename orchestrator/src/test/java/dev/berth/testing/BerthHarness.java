package dev.berth.testing;

import dev.berth.cli.BerthCli;
import dev.berth.config.BerthConfig;
import dev.berth.daemon.Daemon;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.JobQueue;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmClient;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * A real berth daemon for integration tests: the local Docker engine as a swarm, an embedded queue
 * on a free port, a SQLite file and a shared dir in a temp folder. Jobs run for real.
 */
public final class BerthHarness
        implements AutoCloseable
{
    private static final Set<JobState> ENDED = Arrays.stream(JobState.values()).filter(JobState::terminal).collect(Collectors.toUnmodifiableSet());

    private final Path root;
    private final BerthConfig config;
    private final List<String> cliDefaults;
    private Daemon daemon;
    private JobStore store;
    private SqsJobQueue queue;

    private BerthHarness(Path root, BerthConfig config)
    {
        this.root = root;
        this.config = config;
        this.cliDefaults = List.of("--state-dir", config.stateDir().toString(), "--shared-dir", config.sharedDir().toString());
    }

    public static BerthHarness start(Path root, Map<String, String> settings)
            throws IOException
    {
        LocalSwarm.ensureReady();
        Map<String, String> environment = new HashMap<>();
        environment.put("BERTH_STATE_DIR", root.resolve("state").toString());
        environment.put("BERTH_SHARED_DIR", root.resolve("shared").toString());
        environment.put("BERTH_POLL_INTERVAL", "200ms");
        environment.put("BERTH_DEFAULT_CPUS", "0.1");
        environment.put("BERTH_DEFAULT_MEMORY", "64m");
        environment.put("BERTH_DEFAULT_IMAGE", LocalSwarm.IMAGE);
        // Any free port: tests run several daemons at once, and 8080 may be taken
        environment.put("BERTH_HTTP_ADDRESS", "127.0.0.1:0");
        environment.putAll(settings);
        BerthHarness harness = new BerthHarness(root, BerthConfig.load(environment));
        harness.startDaemon();
        return harness;
    }

    public void startDaemon()
            throws IOException
    {
        daemon = Daemon.start(config, Clock.systemUTC(), 0, Duration.ofSeconds(1));
        store = JobStore.open(config.databaseFile());
        queue = new SqsJobQueue(daemon.queueEndpoint());
    }

    public void stopDaemon()
    {
        queue.close();
        store.close();
        daemon.close();
    }

    public BerthConfig config()
    {
        return config;
    }

    public JobStore store()
    {
        return store;
    }

    /** The daemon's own queue client, as {@code berth serve} hands it to its command socket. */
    public JobQueue daemonQueue()
    {
        return daemon.queue();
    }

    public SqsJobQueue queue()
    {
        return queue;
    }

    public String instanceId()
    {
        return daemon.instanceId();
    }

    /** Where the daemon answers HTTP, as it reports it (with an address such as 0.0.0.0, connect to 127.0.0.1 at its port). */
    public URI webUri()
    {
        return daemon.webUri().orElseThrow(() -> new IllegalStateException("this daemon answers no HTTP: BERTH_HTTP_ADDRESS is off"));
    }

    /** Sends a raw message body to the job queue, as any SQS client would. */
    public String send(String body)
    {
        return queue.send(body, "tests", UUID.randomUUID().toString());
    }

    public Job awaitState(String jobId, Set<JobState> states, Duration timeout)
    {
        try {
            return await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> store.reads().job(jobId).filter(job -> reached(job, states)).orElse(null), job -> job != null);
        }
        catch (ConditionTimeoutException e) {
            throw new AssertionError("job " + jobId + " did not reach " + states + " within " + timeout + ": " + story(jobId), e);
        }
    }

    /** Waits until the job has ended, whatever the outcome. */
    public Job awaitEnd(String jobId)
    {
        return awaitState(jobId, ENDED, Duration.ofSeconds(60));
    }

    /** A job that ended in another state can never get there: the test fails at once, saying how it ended. */
    private boolean reached(Job job, Set<JobState> states)
    {
        if (states.contains(job.state())) {
            return true;
        }
        if (job.state().terminal()) {
            throw new AssertionError("job " + job.id() + " ended before reaching " + states + ": " + story(job.id()));
        }
        return false;
    }

    /** The job's state and reason with each attempt's, for a failing test to say where the job stood. */
    private String story(String jobId)
    {
        return store.reads().job(jobId)
                .map(job -> job.state() + job.reason().map(reason -> " (" + reason + ")").orElse("") + store.reads().attempts(jobId).stream()
                        .map(attempt -> "; attempt " + attempt.number() + " " + attempt.state() + attempt.node().map(node -> " on " + node).orElse("")
                                + attempt.reason().map(reason -> " (" + reason + ")").orElse(""))
                        .collect(Collectors.joining()))
                .orElse("not recorded");
    }

    public record CliResult(int exitCode, String out, String err) {}

    /** Runs a berth command as a user would, pointed at this harness's state and shared dirs. */
    public CliResult cli(String... args)
    {
        return cli(BerthConfig.environment(), args);
    }

    /** Like {@link #cli(String...)}, with {@code environment} in place of this process's (as a user's berth.env would set more). */
    public CliResult cli(Map<String, String> environment, String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> full = new ArrayList<>();
        full.add(args[0]);
        full.addAll(cliDefaults);
        full.addAll(Arrays.asList(args).subList(1, args.length));
        int exitCode = BerthCli.standard(environment).execute(new PrintWriter(out, true), new PrintWriter(err, true), full.toArray(String[]::new));
        return new CliResult(exitCode, out.toString(), err.toString());
    }

    /** Names of services this harness's berth still has in the swarm. */
    /**
     * Waits until berth has removed every service of its own. An ended job's service goes just after its end is
     * recorded (never before, so a crash cannot lose a result), so a test that saw the end awaits the removal.
     */
    public void awaitNoServices()
    {
        awaitServices(List::isEmpty, "no services");
    }

    /** Waits until berth has removed this service, as {@link #awaitNoServices()} does for all of them. */
    public void awaitServiceRemoved(String serviceName)
    {
        awaitServices(names -> !names.contains(serviceName), "no service " + serviceName);
    }

    private void awaitServices(Predicate<List<String>> wanted, String description)
    {
        try (SwarmClient swarm = new SwarmClient(config.dockerHost())) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .alias("berth left " + description)
                    .until(() -> swarm.services(store.instanceId()).stream().map(Swarm.BerthService::name).toList(), wanted);
        }
    }

    public Path root()
    {
        return root;
    }

    @Override
    public void close()
            throws IOException
    {
        String instance = daemon.instanceId();
        stopDaemon();
        try (SwarmClient swarm = new SwarmClient(config.dockerHost())) {
            for (Swarm.BerthService service : swarm.services(instance)) {
                swarm.removeService(service.name());
            }
        }
        Files.deleteIfExists(config.stateDir().resolve("embedded-queue.json"));
    }
}
