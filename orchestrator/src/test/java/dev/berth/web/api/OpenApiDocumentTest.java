package dev.berth.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.web.api.ApiFixture.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document says what the API answers: every route it has, and no route it lacks. */
class OpenApiDocumentTest
{
    /**
     * Operations the document describes whose routes other parts of {@code berth serve} add (the
     * dashboard's log reader, the stats, {@code SelfTestRoutes}), so they are not {@link ApiRoutes}'.
     * Keep in step with those.
     */
    private static final Set<String> ROUTED_ELSEWHERE = Set.of("GET /api/v1/jobs/{id}/logs", "GET /api/v1/stats", "POST /api/v1/selftest");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    @TempDir
    Path temp;

    private ApiFixture api;
    private JsonNode document;

    @BeforeEach
    void start()
            throws IOException
    {
        api = new ApiFixture(temp);
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(OpenApiDocument.RESOURCE)) {
            document = new ObjectMapper().readTree(in);
        }
    }

    @AfterEach
    void stop()
    {
        api.close();
    }

    @Test
    void isAnOpenApi31Document()
    {
        assertThat(document.path("openapi").asText()).startsWith("3.1.");
        assertThat(document.path("info").path("title").asText()).isNotBlank();
        assertThat(document.path("paths").size()).isPositive();
    }

    @Test
    void everyRouteIsDocumented()
    {
        assertThat(documented()).containsAll(routed());
    }

    @Test
    void everyDocumentedOperationIsRoutedHereOrByWhatIsKnownToRouteIt()
    {
        Set<String> notHere = new HashSet<>(documented());
        notHere.removeAll(routed());

        assertThat(notHere).isEqualTo(ROUTED_ELSEWHERE);
        assertThat(routed()).doesNotContainAnyElementsOf(ROUTED_ELSEWHERE);
    }

    @Test
    void everyDocumentedOperationOfThisApiIsAnsweredByARoute()
    {
        api.stored("{\"repo_uri\": \"github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"j\"}");
        for (String operation : routed()) {
            String[] parts = operation.split(" ");
            // A body only where one is taken: a GET's would be left unread, and the server may close the connection after it
            HttpRequest.Builder request = HttpRequest.newBuilder(api.uri(parts[1].replace("{id}", "j")))
                    .method(parts[0], parts[0].equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));

            Answer answer = api.send(request);

            assertThat(answer.status()).as(operation).isLessThan(500);
            assertThat(answer.json().path("error").asText()).as(operation).doesNotStartWith("no route ");
        }
    }

    @Test
    void everyOperationSaysWhatItsErrorsAre()
    {
        forEachOperation((operation, node) -> {
            JsonNode responses = node.path("responses");
            assertThat(responses.has("401")).as(operation + " says a missing token is refused").isTrue();
            responses.fields().forEachRemaining(response -> {
                if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                    JsonNode resolved = resolve(response.getValue());
                    assertThat(resolved.path("content").path("application/json").path("schema").path("$ref").asText())
                            .as(operation + " " + response.getKey()).isEqualTo("#/components/schemas/Error");
                }
            });
        });
    }

    @Test
    void everyReferenceResolves()
    {
        List<String> references = new ArrayList<>();
        collectReferences(document, references);

        assertThat(references).isNotEmpty();
        for (String reference : references) {
            assertThat(document.at(reference.substring(1)).isMissingNode()).as(reference).isFalse();
        }
    }

    @Test
    void theServerServesThisDocument()
    {
        Answer answer = api.get("/api/v1/openapi.json");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.json()).isEqualTo(document);
    }

    private Set<String> routed()
    {
        Set<String> operations = new HashSet<>();
        for (ApiRoute route : api.routes.routes()) {
            operations.add(route.method().name() + " " + route.path());
        }
        return operations;
    }

    private Set<String> documented()
    {
        Set<String> operations = new HashSet<>();
        forEachOperation((operation, node) -> operations.add(operation));
        return operations;
    }

    private void forEachOperation(java.util.function.BiConsumer<String, JsonNode> action)
    {
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fields().forEachRemaining(entry -> {
                if (METHODS.contains(entry.getKey())) {
                    action.accept(entry.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), entry.getValue());
                }
            });
        }
    }

    private JsonNode resolve(JsonNode node)
    {
        return node.has("$ref") ? document.at(node.path("$ref").asText().substring(1)) : node;
    }

    private static void collectReferences(JsonNode node, List<String> references)
    {
        if (node.has("$ref")) {
            references.add(node.path("$ref").asText());
        }
        node.forEach(child -> collectReferences(child, references));
    }
}
