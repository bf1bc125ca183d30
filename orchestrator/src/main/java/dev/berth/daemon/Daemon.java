package dev.berth.daemon;

import dev.berth.config.BerthConfig;
import dev.berth.config.HttpAddress;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.metrics.BerthMetrics;
import dev.berth.metrics.CountedJobQueue;
import dev.berth.metrics.MetricsRoutes;
import dev.berth.metrics.StateGauges;
import dev.berth.metrics.TimedSwarm;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.queue.JobQueue;
import dev.berth.queue.QueueEndpoint;
import dev.berth.queue.SqsJobQueue;
import dev.berth.registry.DockerConfigCredentials;
import dev.berth.registry.EcrCredentials;
import dev.berth.repo.Repositories;
import dev.berth.repo.Snapshots;
import dev.berth.rundir.RunDirs;
import dev.berth.scale.AutoScalingGroupScaler;
import dev.berth.scale.Scaler;
import dev.berth.scale.ScalingLoop;
import dev.berth.scale.TestbedScaler;
import dev.berth.selftest.SelfTestRoutes;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmClient;
import dev.berth.time.Sleeper;
import dev.berth.time.Ticker;
import dev.berth.web.AccessToken;
import dev.berth.web.Pages;
import dev.berth.web.WebRoutes;
import dev.berth.web.WebServer;
import dev.berth.web.api.ApiRoutes;
import dev.berth.web.dashboard.DashboardRoutes;
import dev.berth.web.stats.StatsRoutes;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth serve}: wires the store, the queue, the swarm, the repositories and the run dirs
 * together, in this one place, and runs intake and scheduling until closed.
 */
public final class Daemon
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    /** Preparations are git and disk work; a few at once keep a slow fetch from holding up the rest. */
    private static final int PREPARATION_THREADS = 4;
    private static final int DISPATCH_THREADS = 2;

    private final List<AutoCloseable> resources;
    private final QueueEndpoint queueEndpoint;
    private final JobQueue queue;
    private final String instanceId;
    private final Optional<URI> webUri;
    private final Optional<AccessToken> newToken;

    private Daemon(List<AutoCloseable> resources, QueueEndpoint queueEndpoint, JobQueue queue, String instanceId, Optional<URI> webUri, Optional<AccessToken> newToken)
    {
        this.resources = resources;
        this.queueEndpoint = queueEndpoint;
        this.queue = queue;
        this.instanceId = instanceId;
        this.webUri = webUri;
        this.newToken = newToken;
    }

    /**
     * @param embeddedQueuePort where to run the embedded queue when none is configured (0: any free port)
     * @param longPoll how long one receive waits for messages (SQS allows up to 20 s)
     */
    public static Daemon start(BerthConfig config, Clock clock, int embeddedQueuePort, Duration longPoll)
            throws IOException
    {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Files.createDirectories(config.runsDir());
            Files.createDirectories(config.mirrorsDir());
            opened.add(lockStateDir(config));
            JobStore store = JobStore.open(config.databaseFile());
            opened.add(store);

            EcrCredentials ecr = EcrCredentials.standard(clock);
            opened.add(ecr);
            SwarmClient swarm = new SwarmClient(config.dockerHost(), new DockerConfigCredentials(config.dockerConfig(), ecr));
            opened.add(swarm);
            if (!swarm.isManager()) {
                log.info("The Docker engine at {} is not a swarm manager; making it a single-node swarm", config.dockerHost());
                swarm.initSingleNodeSwarm();
            }
            // The one registry of this daemon: whatever records a metric is handed it, and /metrics writes it out
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            BerthMetrics metrics = new BerthMetrics(registry);
            Swarm timedSwarm = new TimedSwarm(swarm, metrics, Ticker.system());

            Optional<QueueEndpoint> configured = QueueEndpoint.configured(config);
            QueueEndpoint endpoint;
            if (configured.isPresent()) {
                endpoint = configured.get();
            }
            else {
                EmbeddedSqs embedded = EmbeddedSqs.start(embeddedQueuePort, config.stateDir());
                opened.add(embedded);
                endpoint = embedded.endpoint();
                endpoint.recordEmbedded(config.stateDir());
                opened.add(() -> QueueEndpoint.forgetEmbedded(config.stateDir()));
            }
            SqsJobQueue queue = new SqsJobQueue(endpoint);
            opened.add(queue);

            RunDirs runDirs = new RunDirs(config.runsDir());
            Repositories repositories = new Repositories(config.mirrorsDir(), config.gitCredentials(), config.gitTimeout(), clock, Ticker.system());
            // Closed after the scheduler, whose preparations check out through it
            opened.add(repositories);
            Snapshots snapshots = new Snapshots(config.snapshotsDir(), repositories, clock);
            WorkDirMode workDirMode = workDirMode(config);
            Preparer preparer = new CheckoutPreparer(timedSwarm, repositories, snapshots, runDirs, workDirMode);
            FailPoints failPoints = FailPoints.parse(config.failPoint());
            Scheduler scheduler = Scheduler.create(store, timedSwarm, preparer, runDirs, config, clock, Ticker.system(), failPoints,
                    Executors.newFixedThreadPool(PREPARATION_THREADS, daemonThreads("berth-prepare")),
                    // Creates services of prepared jobs, so a slow engine call never holds up a preparation or the watch
                    Executors.newFixedThreadPool(DISPATCH_THREADS, daemonThreads("berth-dispatch")), metrics, workDirMode);
            RequestParser parser = new RequestParser(RequestDefaults.of(config));
            Intake intake = new Intake(new CountedJobQueue(queue, metrics), store, parser, timedSwarm, scheduler::wake, clock, Sleeper.system(), longPoll,
                    config.queueVisibility(), failPoints, metrics);

            config.retention().ifPresent(retention -> {
                ScheduledExecutorService retentionThread = Executors.newSingleThreadScheduledExecutor(daemonThreads("berth-retention"));
                retentionThread.scheduleWithFixedDelay(new Retention(store, retention, clock), 1, Retention.EVERY.toMinutes(), TimeUnit.MINUTES);
                opened.add(retentionThread::shutdownNow);
            });

            if (config.snapshotCap().isPresent()) {
                ScheduledExecutorService upkeepThread = Executors.newSingleThreadScheduledExecutor(daemonThreads("berth-snapshots"));
                SnapshotUpkeep upkeep = new SnapshotUpkeep(snapshots, config.snapshotCap().get(), store.reads(), () -> swarm.removeUnusedJobVolumes(store.instanceId()));
                upkeepThread.scheduleWithFixedDelay(upkeep, SnapshotUpkeep.EVERY.toSeconds(), SnapshotUpkeep.EVERY.toSeconds(), TimeUnit.SECONDS);
                opened.add(upkeepThread::shutdownNow);
            }

            Optional<WebServer> web = Optional.empty();
            Optional<AccessToken> token = Optional.empty();
            if (config.httpAddress().isPresent()) {
                HttpAddress address = config.httpAddress().get();
                token = address.loopback() ? Optional.empty() : Optional.of(AccessToken.loadOrCreate(config.httpTokenFile()));
                Pages pages = new Pages();
                DashboardRoutes dashboard = new DashboardRoutes(store, scheduler::wake, () -> timedSwarm.nodes(config.gpuKind()), config, token, clock, pages);
                List<WebRoutes> routes = List.of(new MetricsRoutes(registry, new StateGauges(registry, store.reads(), timedSwarm, store.instanceId(),
                        config.gpuKind(), new HeartbeatReader(config.workersDir()), clock, config.heartbeatStaleAfter())),
                        SelfTestRoutes.forDaemon(config, parser, queue),
                        new ApiRoutes(config, store, queue, parser, timedSwarm, scheduler::wake, clock, Ticker.system()),
                        new StatsRoutes(store.stats(), clock, pages), dashboard);
                try {
                    web = Optional.of(WebServer.start(address, token, routes));
                }
                catch (RuntimeException e) {
                    dashboard.close();
                    throw e;
                }
                opened.add(web.get());
                // Stopped before the server, so the live pages' streams end while it can still end them
                opened.add(dashboard);
            }
            // Work is taken last, once everything that serves it is up: a start that fails takes no message off the queue
            scheduler.start();
            opened.add(scheduler);
            intake.start();
            opened.add(intake);
            if (config.autoscaling().enabled()) {
                Scaler scaler = scaler(config);
                if (scaler instanceof AutoCloseable closeable) {
                    opened.add(closeable);
                }
                ScalingLoop scaling = new ScalingLoop(config.autoscaling(), config.pools(), scaler, timedSwarm, store.reads(), store.instanceId(),
                        config.gpuKind(), config.stateDir(), clock, Ticker.system());
                scaling.start();
                opened.add(scaling);
            }
            return new Daemon(opened, endpoint, queue, store.instanceId(), web.map(WebServer::uri), token.filter(AccessToken::created));
        }
        catch (IOException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /** Overlays of snapshots, unless they are off or the shared dir's path cannot be written in an overlay's mount options. */
    private static WorkDirMode workDirMode(BerthConfig config)
    {
        if (config.snapshotCap().isEmpty()) {
            return WorkDirMode.fullCheckouts("BERTH_SNAPSHOT_CAP is off");
        }
        String shared = config.sharedDir().toAbsolutePath().normalize().toString();
        if (shared.contains(",") || shared.contains(":") || shared.contains("\\")) {
            return WorkDirMode.fullCheckouts("the shared dir " + shared + " has a ',', ':' or '\\' in its path, which an overlay's mount options cannot hold");
        }
        return WorkDirMode.overlays();
    }

    /** What adds and removes the pools' workers: each pool's Auto Scaling group, or the test bed's script. */
    private static Scaler scaler(BerthConfig config)
    {
        String scaler = config.autoscaling().scaler();
        if (scaler.startsWith("testbed:")) {
            return new TestbedScaler(Path.of(scaler.substring("testbed:".length())), config.pools(), config.gpuKind());
        }
        return AutoScalingGroupScaler.create(config.autoscaling(), config.sqsRegion());
    }

    private static ThreadFactory daemonThreads(String name)
    {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One daemon per state dir: a second would admit and watch the same jobs. The lock goes with the process. */
    private static AutoCloseable lockStateDir(BerthConfig config)
            throws IOException
    {
        Path lockFile = Files.createDirectories(config.stateDir()).resolve("serve.lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        }
        catch (OverlappingFileLockException e) {
            // held by this same process
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another 'berth serve' is already running with state dir " + config.stateDir()
                    + "; stop it first (on a fleet: systemctl stop berth)");
        }
        return channel;
    }

    public QueueEndpoint queueEndpoint()
    {
        return queueEndpoint;
    }

    /** The queue intake takes requests from: where {@code berth submit} over {@code cli.sock} sends them, as the HTTP API does. */
    public JobQueue queue()
    {
        return queue;
    }

    /** Where the dashboard, the API and the metrics answer; empty with BERTH_HTTP_ADDRESS=off. */
    public Optional<URI> webUri()
    {
        return webUri;
    }

    /** The HTTP access token when this start made it, for {@code berth serve} to print the one time. */
    public Optional<AccessToken> newToken()
    {
        return newToken;
    }

    /** The label value on every service this daemon's store owns. */
    public String instanceId()
    {
        return instanceId;
    }

    @Override
    public void close()
    {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources)
    {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            }
            catch (Exception e) {
                log.warn("Error while stopping: {}", e.getMessage());
            }
        }
    }
}
