package dev.berth.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.ecr.EcrClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ECR tokens through the real AWS SDK client, pointed at a stand-in for ECR's endpoint that answers
 * GetAuthorizationToken as ECR does (awsJson1.1): ECR itself cannot be reached from here.
 */
class EcrCredentialsTest
{
    private static final String REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    private static final Instant START = Instant.parse("2026-12-01T08:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestingClock clock = new TestingClock(START);
    private final EcrStandIn ecr = new EcrStandIn();
    private final EcrCredentials credentials = new EcrCredentials(region -> EcrClient.builder()
            .region(region)
            .endpointOverride(ecr.endpoint())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "aws-secret")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build(), clock);

    @AfterEach
    void stop()
    {
        credentials.close();
        ecr.close();
    }

    @Test
    void anEcrRegistryGetsItsTokenAsUserAndPassword()
    {
        ecr.answer(200, token("AWS:ecr-password", START.plus(Duration.ofHours(12))));

        RegistryAuth auth = credentials.forRegistry(REGISTRY).orElseThrow();

        assertThat(auth.engineFields()).containsExactly(
                Map.entry("username", "AWS"), Map.entry("password", "ecr-password"), Map.entry("serveraddress", REGISTRY));
        assertThat(auth.source()).isEqualTo("ECR");
        assertThat(auth.toString()).doesNotContain("ecr-password");
        assertThat(ecr.targets).containsExactly("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
    }

    @Test
    void theTokenIsKeptUntilHalfAnHourBeforeItExpires()
    {
        ecr.answer(200, token("AWS:first", START.plus(Duration.ofHours(12))));
        assertThat(credentials.forRegistry(REGISTRY).orElseThrow().engineFields()).containsEntry("password", "first");

        ecr.answer(200, token("AWS:second", START.plus(Duration.ofHours(24))));
        clock.advance(Duration.ofHours(11).plusMinutes(29));
        assertThat(credentials.forRegistry(REGISTRY).orElseThrow().engineFields()).containsEntry("password", "first");
        assertThat(ecr.targets).hasSize(1);

        clock.advance(Duration.ofMinutes(1));
        assertThat(credentials.forRegistry(REGISTRY).orElseThrow().engineFields()).containsEntry("password", "second");
        assertThat(ecr.targets).hasSize(2);
    }

    @Test
    void otherRegistriesGetNoneAndEcrIsNotAsked()
    {
        assertThat(credentials.forRegistry("127.0.0.1:5443")).isEmpty();
        assertThat(credentials.forRegistry("docker.io")).isEmpty();
        assertThat(credentials.forRegistry("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example")).isEmpty();
        assertThat(ecr.targets).isEmpty();
        assertThat(EcrCredentials.isEcrRegistry("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")).isTrue();
        assertThat(EcrCredentials.isEcrRegistry("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")).isTrue();
    }

    @Test
    void aRefusalByEcrIsTheRequestsProblemNamingTheRegistry()
    {
        ecr.answer(400, "{\"__type\": \"AccessDeniedException\", \"message\": \"User is not authorized to perform: ecr:GetAuthorizationToken\"}");

        assertThatThrownBy(() -> credentials.forRegistry(REGISTRY))
                .isInstanceOf(RegistryAccessException.class)
                .hasMessageStartingWith("ECR refused a token for registry " + REGISTRY + " (AccessDeniedException: User is not authorized")
                .hasMessageContaining("ecr:GetAuthorizationToken")
                .hasMessageNotContaining("aws-secret");
    }

    @Test
    void ecrsOwnTroubleIsNotTheRequestsAndIsAskedAgainNextTime()
    {
        ecr.answer(500, "{\"__type\": \"ServerException\", \"message\": \"internal failure\"}");
        assertThatThrownBy(() -> credentials.forRegistry(REGISTRY)).isNotInstanceOf(RegistryAccessException.class);

        ecr.answer(200, token("AWS:later", START.plus(Duration.ofHours(12))));
        assertThat(credentials.forRegistry(REGISTRY).orElseThrow().engineFields()).containsEntry("password", "later");
    }

    private static String token(String userAndPassword, Instant expiresAt)
    {
        try {
            return JSON.writeValueAsString(Map.of("authorizationData", List.of(Map.of(
                    "authorizationToken", Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8)),
                    // awsJson1.1 sends timestamps as seconds since the epoch
                    "expiresAt", expiresAt.getEpochSecond(),
                    "proxyEndpoint", "https://" + REGISTRY))));
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stand-in for ECR's endpoint on 127.0.0.1: answers every call with the set reply, noting each call's target. */
    private static final class EcrStandIn
            implements AutoCloseable
    {
        final List<String> targets = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private volatile int status = 500;
        private volatile String body = "{}";

        EcrStandIn()
        {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            }
            catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/", this::handle);
            server.start();
        }

        void answer(int status, String body)
        {
            this.status = status;
            this.body = body;
        }

        URI endpoint()
        {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private void handle(HttpExchange exchange)
                throws IOException
        {
            exchange.getRequestBody().readAllBytes();
            targets.add(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            byte[] reply = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        }

        @Override
        public void close()
        {
            server.stop(0);
        }
    }
}
