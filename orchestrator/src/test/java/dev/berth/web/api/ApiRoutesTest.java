package dev.berth.web.api;

import dev.berth.web.api.ApiFixture.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What the API answers besides its operations: every answer is JSON, whatever goes wrong. */
class ApiRoutesTest
{
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
    void aPathUnderApiThatNoRouteTakesIsAJson404()
    {
        Answer unknown = api.get("/api/v1/job");
        Answer wrongMethod = api.send(HttpRequest.newBuilder(api.uri("/api/v1/jobs/abc")).DELETE());
        Answer anotherVersion = api.get("/api/v2/jobs");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("no route GET /api/v1/job: the API's routes are described at /api/v1/openapi.json");
        assertThat(wrongMethod.status()).isEqualTo(404);
        assertThat(wrongMethod.error()).isEqualTo("no route DELETE /api/v1/jobs/abc: the API's routes are described at /api/v1/openapi.json");
        assertThat(anotherVersion.json().has("error")).isTrue();
    }

    @Test
    void pathsOutsideTheApiKeepTheServersOwnAnswer()
    {
        Answer page = api.send(HttpRequest.newBuilder(api.uri("/no-such-page")).header("Accept", "text/html").GET());

        assertThat(page.status()).isEqualTo(404);
        assertThat(page.contentType()).startsWith("text/html");
    }

    @Test
    void aBodyOverTheServersLimitIsRefusedInJson()
    {
        Answer answer = api.post("/api/v1/jobs", "{\"entrypoint_params\": \"" + "x".repeat(2 << 20) + "\"}");

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.json().has("error")).isTrue();
    }

    @Test
    void anUnforeseenFailureIsAnswered500InJsonAndLogged()
    {
        api.store.close();

        Answer answer = api.get("/api/v1/jobs");

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.error()).startsWith("berth could not answer GET /api/v1/jobs: ").endsWith("(berth's log has the details)");
    }
}
