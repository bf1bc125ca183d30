package dev.berth.bench;

import dev.berth.config.BerthConfig;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.QueueEndpoint;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.testing.BerthProcess;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/**
 * {@code berth serve} as an operator runs it, against the test bed's manager and an SQS-compatible
 * queue outside it, with berth's own defaults except where a scenario says otherwise.
 */
final class BerthUnderTest
        implements AutoCloseable
{
    private final Path root;
    private final BerthProcess process;
    private final SqsJobQueue queue;
    private final JobStore store;

    private BerthUnderTest(Path root, BerthProcess process, SqsJobQueue queue, JobStore store)
    {
        this.root = root;
        this.process = process;
        this.queue = queue;
        this.store = store;
    }

    static BerthUnderTest start(Path root, QueueEndpoint queue, String dockerHost, Map<String, String> overrides, Optional<String> classpath)
            throws IOException
    {
        Map<String, String> settings = BerthProcess.settings(root, queue);
        // berth's defaults, as a user gets them, not the tests' quicker polling
        settings.remove("BERTH_POLL_INTERVAL");
        settings.put("BERTH_DOCKER_HOST", dockerHost);
        settings.putAll(overrides);
        Files.createDirectories(root);
        BerthProcess process = classpath.map(path -> new BerthProcess(settings, root.resolve("serve.log"), path))
                .orElseGet(() -> new BerthProcess(settings, root.resolve("serve.log")));
        process.start();
        return new BerthUnderTest(root, process, new SqsJobQueue(queue), JobStore.open(root.resolve("state").resolve("berth.db")));
    }

    /**
     * berth on its embedded default, as {@code scripts/demo.sh} runs it: the queue inside the daemon,
     * found by the CLI through the state dir.
     */
    static BerthUnderTest startEmbedded(Path root, String dockerHost)
            throws IOException
    {
        Map<String, String> settings = BerthProcess.settings(root);
        settings.remove("BERTH_POLL_INTERVAL");
        settings.put("BERTH_DOCKER_HOST", dockerHost);
        Files.createDirectories(root);
        BerthProcess process = new BerthProcess(settings, root.resolve("serve.log"));
        process.start();
        QueueEndpoint queue = QueueEndpoint.forClient(BerthConfig.load(Map.of("BERTH_STATE_DIR", root.resolve("state").toString())));
        return new BerthUnderTest(root, process, new SqsJobQueue(queue), JobStore.open(root.resolve("state").resolve("berth.db")));
    }

    /** Writes jobs straight into the state database of a daemon not yet started, as if it had taken them off the queue. */
    static void preload(Path root, List<String> requests)
    {
        try (JobStore store = JobStore.open(root.resolve("state").resolve("berth.db"))) {
            Requests.store(store, requests);
        }
    }

    SqsJobQueue queue()
    {
        return queue;
    }

    JobStore store()
    {
        return store;
    }

    /** Where the daemon answers HTTP: its dashboard, API and metrics. */
    URI webUri()
    {
        return process.webUri();
    }

    /** Everything the daemon has logged so far. */
    String logs()
            throws IOException
    {
        return process.logs();
    }

    long pid()
    {
        return process.pid();
    }

    /** The CPU time the daemon has used so far, user and system, from /proc (in clock ticks of 10 ms, as on Linux). */
    double cpuSeconds()
            throws IOException
    {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    Path stateDir()
    {
        return root.resolve("state");
    }

    /** When the job's container started: the job wrapper touches this file first thing. */
    FileTime awaitStarted(String jobId, Duration atMost)
    {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(10)).until(() -> startMarker(jobId), Optional::isPresent).orElseThrow();
    }

    private Optional<FileTime> startMarker(String jobId)
            throws IOException
    {
        Optional<Path> runDir = store.reads().job(jobId).flatMap(Job::runDir);
        if (runDir.isEmpty()) {
            return Optional.empty();
        }
        Path marker = runDir.get().resolve("attempts/1/.started");
        return Files.exists(marker) ? Optional.of(Files.getLastModifiedTime(marker)) : Optional.empty();
    }

    Job awaitEnd(String jobId, Duration atMost)
    {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(20))
                .until(() -> store.reads().job(jobId), job -> job.map(found -> found.state().terminal()).orElse(false))
                .orElseThrow();
    }

    int count(JobState state)
    {
        return store.reads().countByState().getOrDefault(state, 0);
    }

    int stored()
    {
        return store.reads().countByState().values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public void close()
            throws InterruptedException
    {
        store.close();
        queue.close();
        process.close();
    }
}
