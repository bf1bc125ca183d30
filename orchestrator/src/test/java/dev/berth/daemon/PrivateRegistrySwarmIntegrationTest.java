package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalRegistry;
import dev.berth.testing.LocalSwarm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs whose image lives in a private registry, through a real berth daemon on the local swarm: a real
 * registry (Debian's docker-registry, TLS and htpasswd) holding the job image, and the credentials in the
 * docker config.json berth is pointed at. Right credentials run the job on the registry's digest, pulled
 * by the worker with the credentials its service carries; wrong or missing ones fail it at once with cause
 * request, naming the registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivateRegistrySwarmIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "berth-tests";
    private static final String PASSWORD = "registry-pass-0451";
    private static final String WRONG_PASSWORD = "not-the-password-7319";
    /** The first pause of a preparation that failed for a reason not the job's own: a job failing sooner was not retried. */
    private static final Duration FIRST_RETRY = Duration.ofSeconds(10);

    @TempDir
    static Path temp;

    private LocalRegistry registry;
    private GitRepos repo;
    private BerthHarness berth;
    private Path dockerConfig;
    private String image;
    private String digest;

    @BeforeAll
    void start()
            throws Exception
    {
        LocalSwarm.ensureReady();
        registry = LocalRegistry.start(temp.resolve("registry"), USER, PASSWORD);
        digest = registry.push(LocalSwarm.IMAGE, "berth/busybox", "1");
        image = registry.address() + "/berth/busybox:1";
        repo = GitRepos.create(temp.resolve("jobs"));
        repo.commit(Map.of("hello.sh", "#!/bin/sh\necho \"hello from $BERTH_JOB_ID\"\n"));
        dockerConfig = temp.resolve("docker").resolve("config.json");
        Files.createDirectories(dockerConfig.getParent());
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_DOCKER_CONFIG", dockerConfig.toString()));
    }

    @AfterAll
    void stop()
            throws IOException
    {
        try {
            if (berth != null) {
                berth.close();
            }
            if (repo != null) {
                repo.close();
            }
        }
        finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    @Test
    void theRightCredentialsRunTheJobOnTheRegistrysDigestPulledByTheWorker()
            throws IOException
    {
        loginAs(PASSWORD);
        String pinned = registry.address() + "/berth/busybox@" + digest;
        assertThat(registry.isOnEngine(pinned)).as("the engine must pull the image, not find it").isFalse();

        Job job = berth.awaitEnd(submit("right"));

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.imageRef()).contains(pinned);
        Path runDir = job.runDir().orElseThrow();
        JsonNode jobJson = JSON.readTree(runDir.resolve("job.json").toFile());
        assertThat(jobJson.path("image").asText()).isEqualTo(image);
        assertThat(jobJson.path("image_ref").asText()).isEqualTo(pinned);
        assertThat(runDir.resolve("stdout.txt")).hasContent("hello from " + job.id());
        // Pulled without credentials, the registry would have refused it: the service carried them
        assertThat(registry.isOnEngine(pinned)).isTrue();
        assertNoSecretIn(runDir);
    }

    @Test
    void wrongCredentialsFailTheJobAtOnceNamingTheRegistry()
            throws IOException
    {
        loginAs(WRONG_PASSWORD);

        Job job = berth.awaitEnd(submit("wrong"));

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.REQUEST);
        assertThat(job.reason().orElseThrow())
                .startsWith("registry " + registry.address() + " refused the credentials from " + dockerConfig + " for image " + image)
                .contains("configure them in auths of " + dockerConfig)
                .doesNotContain(WRONG_PASSWORD);
        assertFailedWithoutRetry(job);
    }

    @Test
    void missingCredentialsFailTheJobAtOnceNamingTheRegistry()
            throws IOException
    {
        Files.writeString(dockerConfig, "{\"auths\": {\"registry.example.com\": {\"auth\": \"" + base64("someone:" + PASSWORD) + "\"}}}");

        Job job = berth.awaitEnd(submit("missing"));

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.REQUEST);
        assertThat(job.reason().orElseThrow())
                .startsWith("no credentials for registry " + registry.address() + ", which refused image " + image + " without them")
                .contains("configure them in auths of " + dockerConfig);
        assertFailedWithoutRetry(job);
    }

    /** Failed in its first preparation: no attempt ever made, and sooner than a retried preparation could have. */
    private void assertFailedWithoutRetry(Job job)
            throws IOException
    {
        assertThat(job.attempts()).isZero();
        assertThat(berth.store().reads().attempts(job.id())).isEmpty();
        assertThat(job.imageRef()).isEmpty();
        assertThat(Duration.between(job.receivedAt(), job.finishedAt().orElseThrow())).isLessThan(FIRST_RETRY);
        berth.awaitNoServices();
        assertNoSecretIn(job.runDir().orElseThrow());
    }

    private static void assertNoSecretIn(Path runDir)
            throws IOException
    {
        if (!Files.exists(runDir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(runDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                // Bytes as text: the checkout's git files are binary
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(PASSWORD, WRONG_PASSWORD, base64(USER + ":" + PASSWORD));
            }
        }
    }

    private void loginAs(String password)
            throws IOException
    {
        // As 'docker login' writes it, with the scheme on the key
        Files.writeString(dockerConfig, "{\"auths\": {\"https://" + registry.address() + "\": {\"auth\": \"" + base64(USER + ":" + password) + "\"}}}");
    }

    private String submit(String name)
            throws IOException
    {
        String jobId = name + Long.toHexString(System.nanoTime());
        berth.send(JSON.writeValueAsString(Map.of(
                "job_id", jobId,
                "repo_uri", repo.fileUrl(),
                "branch", "main",
                "entrypoint", "hello.sh",
                "image", image)));
        return jobId;
    }

    private static String base64(String text)
    {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
