package dev.berth.swarm;

import dev.berth.testing.LocalSwarm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * berth's Swarm client against the local Docker engine (a single-node swarm advertising one fake GPU):
 * creating services once, names held by another berth, listings by instance label, image resolution
 * and the nodes' GPUs. Every service it creates carries one of its two instance labels and is removed
 * after each test.
 */
class SwarmClientSwarmIntegrationTest
{
    private static final String GPU_KIND = "GPU";

    private static SwarmClient swarm;
    private static String image;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String mine = "swarm-client-test-" + run;
    private final String other = "swarm-client-test-other-" + run;

    @BeforeAll
    static void connect()
            throws Exception
    {
        LocalSwarm.ensureReady();
        swarm = new SwarmClient(LocalSwarm.DOCKER_HOST);
        // Pinned as berth pins it, so that Swarm does not ask a registry about a local image
        image = swarm.resolveImage(LocalSwarm.IMAGE).orElseThrow();
    }

    @AfterAll
    static void disconnect()
    {
        swarm.close();
    }

    @AfterEach
    void removeServices()
    {
        for (String instance : List.of(mine, other)) {
            for (Swarm.BerthService service : swarm.services(instance)) {
                swarm.removeService(service.name());
            }
        }
    }

    @Test
    void aSecondCreateOfTheSameAttemptFindsItsOwnService()
    {
        ServiceRequest request = request(mine, "twice-" + run, 1, "true");

        assertThat(swarm.createService(request)).isEqualTo(Swarm.Created.CREATED);
        assertThat(swarm.createService(request)).isEqualTo(Swarm.Created.ALREADY_EXISTS);

        assertThat(swarm.serviceOwner(request.name())).contains(mine);
        assertThat(swarm.services(mine)).containsExactly(new Swarm.BerthService(request.name(), "twice-" + run, 1));
    }

    @Test
    void aNameHeldByAnotherBerthsServiceIsTaken()
    {
        ServiceRequest theirs = request(other, "shared-" + run, 1, "true");
        ServiceRequest ours = request(mine, "shared-" + run, 1, "true");
        assertThat(ours.name()).isEqualTo(theirs.name());

        assertThat(swarm.createService(theirs)).isEqualTo(Swarm.Created.CREATED);
        assertThat(swarm.createService(ours)).isEqualTo(Swarm.Created.NAME_TAKEN);

        assertThat(swarm.serviceOwner(ours.name())).contains(other);
        assertThat(swarm.services(mine)).isEmpty();
        assertThat(swarm.serviceOwner("berth-no-such-service-" + run)).isEmpty();
    }

    @Test
    void servicesAndTasksAreListedForOneInstanceOnly()
    {
        ServiceRequest succeeds = request(mine, "ok-" + run, 1, "true");
        ServiceRequest fails = request(mine, "exit3-" + run, 2, "exit 3");
        ServiceRequest theirs = request(other, "theirs-" + run, 1, "true");
        for (ServiceRequest request : List.of(succeeds, fails, theirs)) {
            assertThat(swarm.createService(request)).isEqualTo(Swarm.Created.CREATED);
        }

        assertThat(swarm.services(mine)).containsExactlyInAnyOrder(
                new Swarm.BerthService(succeeds.name(), "ok-" + run, 1),
                new Swarm.BerthService(fails.name(), "exit3-" + run, 2));
        assertThat(swarm.services(other)).containsExactly(new Swarm.BerthService(theirs.name(), "theirs-" + run, 1));

        List<TaskSnapshot> ended = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> swarm.tasks(mine), tasks -> tasks.size() == 2 && tasks.stream().allMatch(TaskSnapshot::ended));
        assertThat(ended).extracting(TaskSnapshot::serviceName).containsExactlyInAnyOrder(succeeds.name(), fails.name());
        assertThat(ended).filteredOn(task -> task.serviceName().equals(succeeds.name())).singleElement().satisfies(task -> {
            assertThat(task.state()).isEqualTo("complete");
            assertThat(task.exitCode()).contains(0);
            assertThat(task.nodeId()).isPresent();
        });
        assertThat(ended).filteredOn(task -> task.serviceName().equals(fails.name())).singleElement().satisfies(task -> {
            assertThat(task.state()).isEqualTo("failed");
            assertThat(task.exitCode()).contains(3);
        });
        assertThat(swarm.tasks(other)).extracting(TaskSnapshot::serviceName).containsOnly(theirs.name());
    }

    @Test
    void removingAServiceThatIsGoneIsFine()
    {
        ServiceRequest request = request(mine, "removed-" + run, 1, "true");
        assertThat(swarm.createService(request)).isEqualTo(Swarm.Created.CREATED);

        swarm.removeService(request.name());
        swarm.removeService(request.name());
        swarm.removeService("berth-never-created-" + run);

        assertThat(swarm.serviceOwner(request.name())).isEmpty();
        assertThat(swarm.services(mine)).isEmpty();
    }

    @Test
    void aLocalImageIsPinnedToItsIdAndAnUnknownOneResolvesToNothing()
    {
        // Built on this engine without a registry: no registry digest, so the local id pins it
        assertThat(image).matches("sha256:[0-9a-f]{64}");
        assertThat(swarm.resolveImage(LocalSwarm.IMAGE)).contains(image);

        assertThat(swarm.resolveImage("nowhere.invalid/none:1")).isEmpty();
    }

    @Test
    void theLocalNodeAdvertisesTheFakeGpu()
    {
        List<SwarmNode> nodes = swarm.nodes(GPU_KIND);

        assertThat(nodes).as("the local engine must be a one-node swarm advertising one fake GPU: start dockerd with "
                        + "--node-generic-resource GPU=GPU-fake0 (scripts/setup-local.sh does)")
                .singleElement().satisfies(node -> {
                    assertThat(node.gpus()).containsExactly("GPU-fake0");
                    assertThat(node.state()).isEqualTo("ready");
                    assertThat(node.schedulable()).isTrue();
                    assertThat(node.nanoCpus()).isPositive();
                    assertThat(node.memoryBytes()).isPositive();
                    // The one node is the manager, active: a manager counts unless drained
                    assertThat(node.role()).isEqualTo("manager");
                    assertThat(node.drainedManager()).isFalse();
                });
        assertThat(swarm.nodes("FPGA")).singleElement().satisfies(node -> assertThat(node.gpus()).isEmpty());
        assertThat(swarm.isManager()).isTrue();
    }

    private ServiceRequest request(String instance, String jobId, int attempt, String script)
    {
        return new ServiceRequest(
                Swarm.serviceName(jobId, attempt),
                Map.of(Swarm.INSTANCE_LABEL, instance, Swarm.JOB_LABEL, jobId, Swarm.ATTEMPT_LABEL, String.valueOf(attempt)),
                image,
                List.of("/bin/sh", "-c", script),
                Map.of(),
                Path.of("/"),
                List.of(),
                10_000_000L,
                16L << 20,
                0,
                GPU_KIND,
                Optional.empty(),
                List.of(),
                Duration.ofSeconds(5));
    }
}
