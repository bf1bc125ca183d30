package dev.berth.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.JobState;
import dev.berth.swarm.Swarm;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API of a real {@code berth serve} on the local swarm, as a program would use it: submit, follow,
 * list, cancel, the fleet, and the same refusals as the CLI. The daemon answers on every address, as on
 * a fleet's manager, so every request carries the token from its state dir.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiSwarmIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private final HttpClient client = HttpClient.newHttpClient();
    private BerthHarness berth;
    private GitRepos repo;
    private URI api;
    private String token;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("served").resolve("jobs"));
        repo.commit(Map.of(
                "ok.sh", "#!/bin/sh\necho \"hello from $BERTH_JOB_ID\"\n",
                "sleep.sh", "#!/bin/sh\necho started\nsleep 300\n"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_HTTP_ADDRESS", "0.0.0.0:0"));
        api = URI.create("http://127.0.0.1:" + berth.webUri().getPort() + "/api/v1/");
        token = Files.readString(berth.config().httpTokenFile()).strip();
    }

    @AfterAll
    void stop()
            throws IOException
    {
        berth.close();
        repo.close();
    }

    @Test
    void aJobSubmittedThroughTheApiRunsAndIsSeenAsTheCliSeesIt()
            throws Exception
    {
        HttpResponse<String> submitted = send(post("jobs", request("ok.sh", "api-hello")).header("Berth-User", "ada"));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = JSON.readTree(submitted.body()).path("job_id").asText();

        JsonNode ended = awaitJob(id, job -> JobState.valueOf(job.path("state").asText()).terminal());

        assertThat(ended.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(ended.path("user").asText()).as("the sender named in Berth-User").isEqualTo("ada");
        assertThat(ended.path("attempts")).hasSize(1);
        assertThat(Path.of(ended.path("run_dir").asText()).resolve("stdout.txt")).hasContent("hello from " + id);
        assertThat(ended).as("what berth status --json prints").isEqualTo(JSON.readTree(berth.cli("status", id, "--json").out()));

        String filters = "jobs?state=SUCCEEDED,FAILED&name=api-hello&user=ada&repo=" + URLEncoder.encode(repo.fileUrl(), StandardCharsets.UTF_8);
        JsonNode listed = JSON.readTree(send(get(filters)).body());
        assertThat(listed.path("jobs")).hasSize(1);
        assertThat(listed.path("next").isNull()).isTrue();
        JsonNode inCliList = null;
        for (JsonNode job : JSON.readTree(berth.cli("list", "--json").out())) {
            if (job.path("id").asText().equals(id)) {
                inCliList = job;
            }
        }
        assertThat(listed.path("jobs").get(0)).as("what berth list --json prints of it").isEqualTo(inCliList);
        assertThat(JSON.readTree(send(get("jobs?name=api-hello&user=bob")).body()).path("jobs")).isEmpty();
        berth.awaitServiceRemoved(Swarm.serviceName(id, 1));
    }

    @Test
    void aRunningJobCancelledThroughTheApiEndsCancelled()
            throws Exception
    {
        String id = JSON.readTree(send(post("jobs", request("sleep.sh", "api-sleeper"))).body()).path("job_id").asText();
        awaitJob(id, job -> job.path("state").asText().equals("RUNNING"));

        HttpResponse<String> cancelled = send(post("jobs/" + id + "/cancel", ""));

        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(JSON.readTree(cancelled.body())).isEqualTo(JSON.readTree("{\"job_id\": \"" + id + "\", \"state\": \"RUNNING\"}"));
        JsonNode ended = awaitJob(id, job -> JobState.valueOf(job.path("state").asText()).terminal());
        assertThat(ended.path("state").asText()).isEqualTo("CANCELLED");
        assertThat(ended.path("cause").asText()).isEqualTo("cancelled");
        assertThat(JSON.readTree(send(post("jobs/" + id + "/cancel", "")).body()).path("state").asText()).as("cancelling again changes nothing")
                .isEqualTo("CANCELLED");
        berth.awaitServiceRemoved(Swarm.serviceName(id, 1));
    }

    @Test
    void aRequestTheCliRefusesIsRefusedWithTheCliMessage()
            throws Exception
    {
        String body = "{\"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"ok.sh\", \"resources\": {\"cpus\": \"lots\"}}";
        Path file = Files.writeString(temp.resolve("lots.json"), body);

        HttpResponse<String> refused = send(post("jobs", body));
        BerthHarness.CliResult cli = berth.cli("submit", "--file", file.toString());

        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(refused.body());
        assertThat(error.path("field").asText()).isEqualTo("resources.cpus");
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.err()).isEqualTo("berth submit: " + error.path("error").asText() + "\n");
    }

    @Test
    void theFleetIsWhatBerthWorkersPrints()
            throws Exception
    {
        HttpResponse<String> workers = send(get("workers"));

        assertThat(workers.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(workers.body())).isEqualTo(JSON.readTree(berth.cli("workers", "--json").out()));
        assertThat(JSON.readTree(workers.body()).path("workers")).as("the local swarm's node").isNotEmpty();
    }

    @Test
    void beyondLoopbackARequestWithoutTheTokenIsRefused()
            throws Exception
    {
        HttpResponse<String> without = client.send(HttpRequest.newBuilder(api.resolve("jobs")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(api.resolve("jobs")).header("Authorization", "Bearer " + "0".repeat(64)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(without.body()).path("error").asText()).contains("Authorization: Bearer");
        assertThat(without.body()).doesNotContain(token);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(send(get("jobs")).statusCode()).isEqualTo(200);
    }

    private String request(String entrypoint, String name)
    {
        return "{\"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"" + entrypoint + "\", \"name\": \"" + name + "\"}";
    }

    /** The job as the API shows it, once it is stored (until then 404) and {@code reached} holds. */
    private JsonNode awaitJob(String id, Predicate<JsonNode> reached)
    {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).alias("job " + id + " through the API")
                .until(() -> {
                    HttpResponse<String> status = send(get("jobs/" + id));
                    return status.statusCode() == 404 ? null : JSON.readTree(status.body());
                }, job -> job != null && reached.test(job));
    }

    private HttpRequest.Builder get(String path)
    {
        return HttpRequest.newBuilder(api.resolve(path)).GET();
    }

    private HttpRequest.Builder post(String path, String body)
    {
        return HttpRequest.newBuilder(api.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    }

    private HttpResponse<String> send(HttpRequest.Builder request)
            throws IOException, InterruptedException
    {
        return client.send(request.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }
}
