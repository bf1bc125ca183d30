package dev.berth.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.InvalidRequestException;
import dev.berth.queue.QueueMessage;
import dev.berth.web.api.ApiFixture.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubmitJobTest
{
    private static final String VALID = "{\"repo_uri\": \"github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"train.sh\"";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private ApiFixture api;

    @BeforeEach
    void start()
    {
        api = new ApiFixture(temp);
    }

    @AfterEach
    void stop()
    {
        api.close();
    }

    @Test
    void aRequestIsSentToTheQueueAndItsIdAnsweredBeforeTheDaemonStoresIt()
            throws Exception
    {
        Answer answer = api.post("/api/v1/jobs", VALID + ", \"job_id\": \"exp-1\"}");

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.json().path("job_id").asText()).isEqualTo("exp-1");
        assertThat(answer.json().path("warnings")).isEmpty();
        assertThat(answer.headers()).containsEntry("location", "/api/v1/jobs/exp-1");
        assertThat(api.queue.waitingBodies()).hasSize(1);
        assertThat(JSON.readTree(api.queue.waitingBodies().get(0))).isEqualTo(JSON.readTree(VALID + ", \"job_id\": \"exp-1\"}"));
        assertThat(api.store.reads().job("exp-1")).as("only intake stores jobs: the API sends to the queue").isEmpty();
    }

    @Test
    void aRequestWithoutAnIdIsGivenTheRandomIdItIsSentWith()
            throws Exception
    {
        Answer first = api.post("/api/v1/jobs", VALID + "}");
        Answer second = api.post("/api/v1/jobs", VALID + "}");

        String id = first.json().path("job_id").asText();
        assertThat(id).matches("[0-9a-f]{12}");
        assertThat(second.json().path("job_id").asText()).isNotEqualTo(id);
        JsonNode sent = JSON.readTree(api.queue.waitingBodies().get(0));
        assertThat(sent.path("job_id").asText()).isEqualTo(id);
        assertThat(api.parser.parse(api.queue.waitingBodies().get(0), "unused").id()).as("the daemon stores it under that id").isEqualTo(id);
    }

    @Test
    void theSendersNameTravelsAsTheMessageAttributeBerthSubmitSets()
    {
        api.post("/api/v1/jobs", VALID + "}");
        api.send(HttpRequest.newBuilder(api.uri("/api/v1/jobs")).header("Berth-User", "ada@lab").POST(HttpRequest.BodyPublishers.ofString(VALID + "}")));

        List<QueueMessage> sent = api.queue.receive(Duration.ZERO, Duration.ZERO);

        assertThat(sent).extracting(QueueMessage::user).containsExactly(Optional.empty(), Optional.of("ada@lab"));
    }

    @Test
    void aSendersNameBerthCannotTakeIsRefusedNamingTheHeader()
    {
        Answer answer = api.send(HttpRequest.newBuilder(api.uri("/api/v1/jobs")).header("Berth-User", "ada lovelace")
                .POST(HttpRequest.BodyPublishers.ofString(VALID + "}")));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("field").asText()).isEqualTo("Berth-User");
        assertThat(answer.error()).isEqualTo("header Berth-User must be 1-64 letters, digits, '_', '.', '@' or '-', starting with a letter, digit or '_',"
                + " got 'ada lovelace'; send a valid one, or name the user in the request's \"user\" field");
        assertThat(api.queue.waitingBodies()).isEmpty();
    }

    @Test
    void aRequestTheCliRefusesIsRefusedWithItsMessageNamingTheField()
    {
        Answer answer = api.post("/api/v1/jobs", VALID + ", \"resources\": {\"cpus\": \"lots\"}}");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("invalid request: resources.cpus must be a number above 0 and at most 512, got \"lots\"");
        assertThat(answer.json().path("field").asText()).isEqualTo("resources.cpus");
        assertThat(api.queue.waitingBodies()).isEmpty();
    }

    @Test
    void everyProblemIsListedWithItsFieldAndNoneIsNamedForAll()
    {
        Answer answer = api.post("/api/v1/jobs", "{\"repo_uri\": \"github.com/org/repo\", \"gpu\": 1, \"timeout\": \"soon\"}");

        assertThat(answer.status()).isEqualTo(400);
        JsonNode body = answer.json();
        assertThat(body.has("field")).as("the problems are about several fields").isFalse();
        assertThat(body.path("problems")).extracting(problem -> problem.path("field").asText())
                .containsExactly("gpu", "branch", "entrypoint", "timeout");
        assertThat(body.path("problems").get(0).path("error").asText()).isEqualTo("unknown field 'gpu' (did you mean 'resources.gpus'?)");
        assertThat(answer.error()).startsWith("invalid request: unknown field 'gpu' (did you mean 'resources.gpus'?); branch is required; ");
    }

    @Test
    void theMessageIsTheOneTheParserGivesTheCli()
    {
        String body = VALID + ", \"entrypoint_params\": 5, \"max_attempts\": 0}";

        Answer answer = api.post("/api/v1/jobs", body);

        assertThatThrownBy(() -> api.parser.parse(body, "x")).isInstanceOfSatisfying(InvalidRequestException.class,
                e -> assertThat(answer.error()).isEqualTo("invalid request: " + e.getMessage()));
    }

    @Test
    void malformedJsonIsRefusedSayingWhere()
    {
        Answer answer = api.post("/api/v1/jobs", "{\n  \"repo_uri\": \"github.com/org/repo\",\n  \"branch\" \"main\"\n}");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error()).startsWith("invalid request: not valid JSON: Unexpected character ('\"'").endsWith("(line 3, column 12)");
        assertThat(answer.json().has("field")).isFalse();
    }

    @Test
    void oneRequestAPost()
    {
        Answer several = api.post("/api/v1/jobs", VALID + "}\n" + VALID + "}");
        Answer array = api.post("/api/v1/jobs", "[" + VALID + "}]");
        Answer empty = api.post("/api/v1/jobs", "");

        assertThat(several.status()).isEqualTo(400);
        assertThat(several.error()).contains("not valid JSON: Trailing token", "(line 2, column 1)");
        assertThat(array.error()).isEqualTo("invalid request: the request must be a JSON object with at least repo_uri, branch and entrypoint");
        assertThat(empty.error()).isEqualTo(array.error());
        assertThat(api.queue.waitingBodies()).isEmpty();
    }

    @Test
    void aSecretSwarmLacksIsRefusedNamingIt()
    {
        api.swarm.withSecret("hf_token");

        Answer missing = api.post("/api/v1/jobs", VALID + ", \"secrets\": [\"hf_token\", \"wandb_key\"]}");
        Answer present = api.post("/api/v1/jobs", VALID + ", \"secrets\": [\"hf_token\"]}");

        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).isEqualTo("invalid request: secret 'wandb_key' does not exist: create it with 'berth secret create wandb_key'");
        assertThat(missing.json().path("field").asText()).isEqualTo("secrets");
        assertThat(present.status()).isEqualTo(202);
        assertThat(api.queue.waitingBodies()).hasSize(1);
    }

    @Test
    void secretsAreLeftToIntakeWhenTheEngineCannotListThem()
    {
        api.swarm.failSecretListings(dev.berth.testing.FakeSwarm.refused("engine down"));

        Answer answer = api.post("/api/v1/jobs", VALID + ", \"secrets\": [\"hf_token\"]}");

        assertThat(answer.status()).isEqualTo(202);
    }

    @Test
    void anEnvValueThatLooksLikeACredentialIsSentWithAWarningNamingItsKey()
    {
        Answer answer = api.post("/api/v1/jobs", VALID + ", \"job_id\": \"k\", \"env\": {\"AWS_SECRET_ACCESS_KEY\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}}");

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().path("warnings")).hasSize(1);
        assertThat(answer.json().path("warnings").get(0).asText()).startsWith("job k: env AWS_SECRET_ACCESS_KEY looks like a credential")
                .doesNotContain("wJalrXUtnFEMI");
    }

    @Test
    void aQueueThatRefusesIsAnswered503AndNothingIsSent()
    {
        api.queue.unreachable(true);

        Answer answer = api.post("/api/v1/jobs", VALID + "}");

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.error()).isEqualTo("cannot send to the queue in-memory queue: queue unreachable; nothing was sent, so sending the same request again is safe");
    }
}
