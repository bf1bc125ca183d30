package dev.berth.selftest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.HttpAddress;
import dev.berth.job.InvalidRequestException;
import dev.berth.web.WebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The endpoint on a real server, with the requests it sends kept instead of queued. */
class SelfTestRoutesTest
{
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<ObjectNode> sent = new ArrayList<>();

    @TempDir
    Path shared;

    private WebServer server;
    private URI endpoint;

    @BeforeEach
    void start()
    {
        RequestSender sender = request -> {
            if (request.path("image").asText().equals("bad image")) {
                throw new InvalidRequestException(List.of("image 'bad image' is not a valid image reference"));
            }
            sent.add(request);
            return request.path("job_id").asText();
        };
        SelfTest selfTest = new SelfTest(new SelfTestRepository(shared), sender);
        server = WebServer.start(new HttpAddress("127.0.0.1", 0), Optional.empty(), List.of(new SelfTestRoutes(selfTest)));
        endpoint = server.uri().resolve(SelfTestRoutes.PATH);
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void anEmptyObjectStartsTheCpuSelfTestAndAnswersWithItsJobId()
            throws Exception
    {
        HttpResponse<String> response = post("application/json", "{}");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode answer = mapper.readTree(response.body());
        assertThat(sent).hasSize(1);
        assertThat(answer.path("job_id").asText()).matches("selftest-[0-9a-f]{12}").isEqualTo(sent.get(0).path("job_id").asText());
        assertThat(sent.get(0).path("resources").has("gpus")).isFalse();
        assertThat(sent.get(0).path("repo_uri").asText()).contains(shared.resolve("selftest/repo.git").toString());

        assertThat(post("application/json", "").statusCode()).as("no body: the defaults").isEqualTo(202);
        assertThat(sent).hasSize(2);
    }

    @Test
    void theOptionsReachTheRequest()
            throws Exception
    {
        HttpResponse<String> response = post("application/json; charset=utf-8", "{\"gpus\": 1, \"pool\": \"gpu\", \"image\": \"pytorch/pytorch:2.5.1\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        ObjectNode request = sent.get(0);
        assertThat(request.path("resources").path("gpus").asInt()).isEqualTo(1);
        assertThat(request.path("pool").asText()).isEqualTo("gpu");
        assertThat(request.path("image").asText()).isEqualTo("pytorch/pytorch:2.5.1");
    }

    @Test
    void aWrongOptionIsRefusedNamingItsFieldAndNothingIsSent()
            throws Exception
    {
        assertRefused(post("application/json", "{\"gpus\": -1}"), 400, "gpus", "gpus must be a whole number, 0 or more, got -1");
        assertRefused(post("application/json", "{\"gpus\": 1.5}"), 400, "gpus", "got 1.5");
        assertRefused(post("application/json", "{\"pool\": 7}"), 400, "pool", "pool must be a non-empty string, got 7");
        assertRefused(post("application/json", "{\"gpu\": 1}"), 400, "gpu", "unknown field 'gpu': the self-test takes gpus, pool and image");
        assertRefused(post("application/json", "[1]"), 400, null, "must be a JSON object");
        assertRefused(post("application/json", "{\"gpus\":"), 400, null, "not valid JSON");
        assertRefused(post("application/json", "{\"image\": \"bad image\"}"), 400, null, "invalid self-test request: image 'bad image' is not a valid image reference");
        assertThat(sent).isEmpty();
    }

    @Test
    void aFormPostFromAnotherPageIsRefused()
            throws Exception
    {
        assertRefused(post("application/x-www-form-urlencoded", "gpus=1"), 415, null, "Content-Type: application/json");
        assertRefused(post("text/plain", "{}"), 415, null, "no other web page can start jobs here");
        assertThat(sent).isEmpty();
    }

    private void assertRefused(HttpResponse<String> response, int status, String field, String message)
            throws Exception
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode answer = mapper.readTree(response.body());
        assertThat(answer.path("error").asText()).contains(message);
        if (field == null) {
            assertThat(answer.has("field")).isFalse();
        }
        else {
            assertThat(answer.path("field").asText()).isEqualTo(field);
        }
    }

    private HttpResponse<String> post(String contentType, String body)
            throws Exception
    {
        HttpRequest request = HttpRequest.newBuilder(endpoint).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
