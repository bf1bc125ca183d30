package dev.berth.fleet;

import dev.berth.testing.MetadataStandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the real agent script ({@code heartbeat/berth-heartbeat}) on a host whose GPUs are a stand-in
 * {@code nvidia-smi} (answering only the query the agent must make, with what the test writes), whose
 * kernel log is a file, and whose AWS CLI is a stand-in {@code aws} that records how it was called:
 * each fault must reach the heartbeat, read by berth's reader, and the host must then be reported
 * unhealthy to its Auto Scaling group under the instance id the metadata service gave. The drain for
 * it, and a job retried elsewhere, are in {@code GpuHealthTestbedIntegrationTest}.
 */
class GpuHealthAgentIntegrationTest
{
    private static final Path AGENT = Path.of("..", "heartbeat", "berth-heartbeat").toAbsolutePath();
    private static final String QUERY = "--query-gpu=uuid,ecc.errors.uncorrected.volatile.total --format=csv,noheader,nounits";
    private static final String HEALTHY = "GPU-1111, 0\nGPU-2222, 0\n";
    private static final String REPORT = "--region " + MetadataStandIn.REGION + " autoscaling set-instance-health --instance-id " + MetadataStandIn.INSTANCE_ID
            + " --health-status Unhealthy --no-should-respect-grace-period";

    @TempDir
    Path temp;

    private Path shared;
    private Path gpus;
    private Path kernelLog;
    private Path awsCalls;
    private Path smiCalls;
    private HeartbeatReader reader;
    private Process agent;

    @BeforeEach
    void standIns()
            throws IOException
    {
        shared = Files.createDirectories(temp.resolve("shared"));
        gpus = temp.resolve("gpus.csv");
        kernelLog = temp.resolve("kern.log");
        awsCalls = temp.resolve("aws-calls");
        smiCalls = temp.resolve("nvidia-smi-calls");
        Path bin = Files.createDirectories(temp.resolve("bin"));
        // As the real one does, it refuses a query it does not know rather than answer something else
        script(bin.resolve("nvidia-smi"), """
                #!/bin/sh
                echo x >>'%s'
                if [ "$*" != '%s' ]; then
                    echo "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help." >&2
                    exit 2
                fi
                if [ -e '%s.failing' ]; then
                    cat '%s.failing'
                    exit 15
                fi
                cat '%s'
                """.formatted(smiCalls, QUERY, gpus, gpus, gpus));
        script(bin.resolve("aws"), """
                #!/bin/sh
                echo "$*" >>'%s'
                """.formatted(awsCalls));
        Files.writeString(gpus, HEALTHY);
        // An Xid of a fault in a job's own code (13) says nothing of the GPU
        Files.writeString(kernelLog, "[   12.5] nvidia: loading out-of-tree module taints kernel.\n"
                + "[ 3021.7] NVRM: Xid (PCI:0000:00:1e): 13, pid=4242, name=python3, Graphics SM Warp Exception on (GPC 0, TPC 1, SM 0)\n");
        reader = new HeartbeatReader(shared.resolve(".swarm/workers"));
    }

    @AfterEach
    void stopAgent()
            throws InterruptedException
    {
        stop();
    }

    @Test
    void uncorrectableEccErrorsMakeTheHostUnhealthyAndItIsReportedOnceUnderItsInstanceId()
            throws Exception
    {
        try (MetadataStandIn metadata = MetadataStandIn.start(InetAddress.getLoopbackAddress(), 0, Optional.empty(), Optional.empty())) {
            agent = start(Map.of("HEARTBEAT_METADATA_URL", metadata.url(), "HEARTBEAT_GPUS", "GPU-1111,GPU-2222"));
            Heartbeat healthy = beatAfterChecks(2);
            assertThat(healthy.unhealthy()).isEmpty();
            assertThat(healthy.unhealthyReportedAt()).isEmpty();
            assertThat(awsCalls).doesNotExist();

            Files.writeString(gpus, "GPU-1111, 0\nGPU-2222, 3\n");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(heartbeat().unhealthy()).contains("3 uncorrectable ECC errors on GPU-2222"));
            // No dockerd answers, so the agent cannot tell its jobs have stopped: it reports after its grace (2 s)
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(heartbeat().unhealthyReportedAt()).isPresent());
            assertThat(Files.readAllLines(awsCalls)).containsExactly(REPORT);
            assertThat(metadata.refused()).isZero();

            // The fault is kept, and reported once, even if the counts go back to zero (a driver reload resets them)
            Files.writeString(gpus, HEALTHY);
            Instant reset = Instant.now().plusSeconds(1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(heartbeat().writtenAt()).isAfter(reset));
            assertThat(heartbeat().unhealthy()).contains("3 uncorrectable ECC errors on GPU-2222");
            assertThat(Files.readAllLines(awsCalls)).containsExactly(REPORT);

            FleetStatus fleet = FleetStatus.of(List.of(), reader.read(), Instant.now(), Duration.ofSeconds(60));
            assertThat(fleet.workers()).singleElement().satisfies(worker -> {
                assertThat(worker.flags()).contains(WorkerFlag.UNHEALTHY);
                assertThat(worker.unhealthy()).contains("3 uncorrectable ECC errors on GPU-2222");
            });
        }
    }

    @Test
    void aGpuGoneSinceBootIsNamedWhenTheRoleListedThem()
            throws Exception
    {
        agent = start(Map.of("HEARTBEAT_GPUS", "GPU-1111,GPU-2222"));
        assertThat(beatAfterChecks(1).unhealthy()).isEmpty();

        Files.writeString(gpus, "GPU-1111, 0\n");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(heartbeat().unhealthy()).contains("1 of the 2 GPUs at boot listed, missing GPU-2222"));
    }

    @Test
    void withoutAListFromTheRoleTheCountFirstRecordedSinceBootIsKeptAcrossRestartsOfTheAgent()
            throws Exception
    {
        Path countAtBoot = temp.resolve("run/gpus-at-boot");
        Map<String, String> settings = Map.of("HEARTBEAT_GPU_COUNT_FILE", countAtBoot.toString());
        agent = start(settings);
        assertThat(beatAfterChecks(2).unhealthy()).isEmpty();
        assertThat(Files.readString(countAtBoot).strip()).isEqualTo("2");

        // A GPU falls off the bus, and the agent restarts: it still knows the host booted with two
        stop();
        Files.writeString(gpus, "GPU-1111, 0\n");
        agent = start(settings);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(heartbeat().unhealthy()).contains("1 of the 2 GPUs at boot listed"));
    }

    @Test
    void anXidOfTheGpuInTheKernelLogMakesTheHostUnhealthy()
            throws Exception
    {
        agent = start(Map.of());
        assertThat(beatAfterChecks(2).unhealthy()).as("Xid 13 is the job's fault, not the GPU's").isEmpty();

        Files.writeString(kernelLog, "[ 3090.1] NVRM: Xid (PCI:0000:00:1e): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.\n",
                StandardOpenOption.APPEND);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(heartbeat().unhealthy()).contains("Xid 79 on PCI:0000:00:1e in the kernel log"));
    }

    @Test
    void anNvidiaSmiThatFailsMakesTheHostUnhealthyAndOffAwsNothingIsReported()
            throws Exception
    {
        agent = start(Map.of("HEARTBEAT_GPUS", "GPU-1111,GPU-2222"));
        assertThat(beatAfterChecks(1).unhealthy()).isEmpty();

        Files.writeString(temp.resolve("gpus.csv.failing"), "Unable to determine the device handle for GPU0000:00:1E.0: Unknown Error\n");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(heartbeat().unhealthy()).contains("nvidia-smi failed: Unable to determine the device handle for GPU0000:00:1E.0: Unknown Error"));
        // No metadata service (HEARTBEAT_METADATA_URL=off): no instance to report, and the agent says so
        await().atMost(Duration.ofSeconds(15)).until(() -> output().contains("not reporting to an Auto Scaling group"));
        assertThat(awsCalls).doesNotExist();
        assertThat(heartbeat().unhealthyReportedAt()).isEmpty();
    }

    /** The heartbeat written after the agent has asked nvidia-smi {@code checks} more times. */
    private Heartbeat beatAfterChecks(int checks)
            throws IOException
    {
        long before = smiCallCount();
        await().atMost(Duration.ofSeconds(15)).until(() -> smiCallCount() >= before + checks);
        Instant checked = Instant.now().minusSeconds(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(heartbeat().writtenAt()).isAfter(checked));
        return heartbeat();
    }

    private long smiCallCount()
            throws IOException
    {
        return Files.exists(smiCalls) ? Files.readAllLines(smiCalls).size() : 0;
    }

    private Heartbeat heartbeat()
    {
        HeartbeatScan scan = reader.read();
        assertThat(scan.unreadable()).isEmpty();
        assertThat(scan.heartbeats()).hasSize(1);
        return scan.heartbeats().get(0);
    }

    private Process start(Map<String, String> settings)
            throws IOException
    {
        ProcessBuilder builder = new ProcessBuilder("sh", AGENT.toString()).redirectErrorStream(true).redirectOutput(temp.resolve("agent.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("HEARTBEAT_") || key.startsWith("BERTH_"));
        // The stand-ins are found as the real commands would be, by their default names on the PATH
        environment.put("PATH", temp.resolve("bin") + ":" + environment.get("PATH"));
        environment.put("BERTH_SHARED_DIR", shared.toString());
        environment.put("HEARTBEAT_HOSTNAME", "gpu-test");
        environment.put("HEARTBEAT_POOL", "gpu");
        environment.put("HEARTBEAT_INTERVAL", "1");
        environment.put("HEARTBEAT_UNHEALTHY_GRACE", "2");
        environment.put("HEARTBEAT_KERNEL_LOG_COMMAND", "cat '" + kernelLog + "'");
        environment.put("HEARTBEAT_GPU_COUNT_FILE", temp.resolve("gpus-at-boot").toString());
        environment.put("DOCKER_HOST", "unix://" + temp.resolve("no-dockerd-here.sock"));
        environment.put("HEARTBEAT_POWEROFF_COMMAND", "touch " + temp.resolve("powered-off"));
        // Never the address of a real metadata service, which the machine running the tests may have
        environment.put("HEARTBEAT_METADATA_URL", "off");
        environment.putAll(new HashMap<>(settings));
        return builder.start();
    }

    private void stop()
            throws InterruptedException
    {
        if (agent != null) {
            agent.destroy();
            assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
            agent = null;
        }
    }

    private String output()
            throws IOException
    {
        return Files.readString(temp.resolve("agent.log"), StandardCharsets.UTF_8);
    }

    private static void script(Path path, String text)
            throws IOException
    {
        Files.writeString(path, text);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
