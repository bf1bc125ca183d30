package dev.berth.daemon;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;
import dev.berth.swarm.SwarmClient;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import dev.berth.testing.SilentServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** berth stopped and started again while jobs run, on the local swarm. */
class RestartSwarmIntegrationTest
{
    @TempDir
    Path temp;

    private GitRepos repo;
    private BerthHarness berth;

    @BeforeEach
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("wait.sh", "#!/bin/sh\necho begun\nsleep 3\necho done\n"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of());
    }

    @AfterEach
    void stop()
            throws Exception
    {
        berth.close();
        repo.close();
    }

    @Test
    void aJobRunningAcrossARestartIsAdoptedAndEndsOnceWithOneService()
            throws Exception
    {
        berth.send("{\"job_id\": \"across\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"wait.sh\"}");
        berth.awaitState("across", EnumSet.of(JobState.RUNNING), Duration.ofSeconds(30));

        berth.stopDaemon();
        berth.startDaemon();
        Job job = berth.awaitEnd("across");

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).hasContent("begun\ndone");
        berth.awaitNoServices();
    }

    @Test
    void aJobCaughtPreparingWhenBerthStopsIsPreparedAgainRatherThanFailed()
            throws Exception
    {
        try (SilentServer hungHost = new SilentServer()) {
            berth.send("{\"job_id\": \"caught\", \"repo_uri\": \"git://127.0.0.1:" + hungHost.port() + "/repo\", \"branch\": \"main\","
                    + " \"entrypoint\": \"wait.sh\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> hungHost.connections() == 1);

            berth.stopDaemon();
            try (JobStore store = JobStore.open(berth.config().databaseFile())) {
                Job stopped = store.reads().job("caught").orElseThrow();
                assertThat(stopped.state()).as("%s", stopped.reason()).isEqualTo(JobState.PREPARING);
            }

            berth.startDaemon();
            await().atMost(Duration.ofSeconds(30)).until(() -> hungHost.connections() == 2);
            Job again = berth.store().reads().job("caught").orElseThrow();
            assertThat(again.state()).as("%s", again.reason()).isEqualTo(JobState.PREPARING);
        }
    }

    @Test
    void aSecondDaemonOnTheSameStateIsRefused()
    {
        assertThatThrownBy(() -> Daemon.start(berth.config(), Clock.systemUTC(), 0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another 'berth serve' is already running with state dir " + berth.config().stateDir());
    }

    @Test
    void aJobIdAnotherBerthOnTheSwarmIsRunningWaitsForThatServiceThenRuns()
            throws Exception
    {
        String request = "{\"job_id\": \"shared-id\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"wait.sh\"}";
        try (BerthHarness other = BerthHarness.start(temp.resolve("other"), Map.of())) {
            other.send(request);
            other.awaitState("shared-id", EnumSet.of(JobState.RUNNING), Duration.ofSeconds(30));

            berth.send(request);
            await().atMost(Duration.ofSeconds(30)).until(() -> berth.store().reads().job("shared-id")
                    .flatMap(Job::reason).filter(reason -> reason.contains("is held by another berth on this swarm")).isPresent());

            assertThat(other.awaitEnd("shared-id").state()).isEqualTo(JobState.SUCCEEDED);
            Job mine = berth.awaitEnd("shared-id");
            assertThat(mine.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(mine.attempts()).isEqualTo(1);
            assertThat(mine.runDir().orElseThrow().resolve("stdout.txt")).hasContent("begun\ndone");
            assertThat(mine.runDir()).isNotEqualTo(other.store().reads().job("shared-id").orElseThrow().runDir());
        }
    }

    @Test
    void servicesWithoutThisBerthsLabelsAreNeverRemoved()
            throws Exception
    {
        String foreign = "berth-foreign-1";
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(LocalSwarm.DOCKER_HOST).build();
        try (DockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build();
                SwarmClient swarm = new SwarmClient(LocalSwarm.DOCKER_HOST)) {
            String spec = "{\"Name\": \"" + foreign + "\", \"Labels\": {\"berth.job\": \"foreign\", \"berth.attempt\": \"1\"},"
                    + "\"TaskTemplate\": {\"ContainerSpec\": {\"Image\": \"" + LocalSwarm.IMAGE + "\", \"Command\": [\"true\"]},"
                    + "\"RestartPolicy\": {\"Condition\": \"none\"}}, \"Mode\": {\"Replicated\": {\"Replicas\": 1}}}";
            try (DockerHttpClient.Response response = http.execute(DockerHttpClient.Request.builder()
                    .method(DockerHttpClient.Request.Method.POST).path("/v1.41/services/create")
                    .putHeader("Content-Type", "application/json")
                    .body(new ByteArrayInputStream(spec.getBytes(StandardCharsets.UTF_8))).build())) {
                assertThat(response.getStatusCode()).isEqualTo(201);
            }
            try {
                berth.send("{\"job_id\": \"mine\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"wait.sh\"}");
                berth.awaitEnd("mine");
                berth.stopDaemon();
                berth.startDaemon();

                assertThat(swarm.serviceOwner(foreign)).as("the foreign service is still there").isPresent();
            }
            finally {
                swarm.removeService(foreign);
            }
        }
    }
}
