package dev.berth.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.registry.RegistryAuth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * JSON over docker-java's own transport. berth speaks the Engine API directly because
 * docker-java's typed model lacks what it needs most (generic-resource reservations, the
 * nodes' generic resources), and one small JSON layer is easier to follow than two models.
 */
final class EngineApi
        implements AutoCloseable
{
    private static final String VERSION = "/v1.41";

    /** Made once: listings and their filters pass through it several times a second. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerHttpClient http;
    private final String dockerHost;

    EngineApi(String dockerHost)
    {
        this.dockerHost = dockerHost;
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
        this.http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .maxConnections(32)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60))
                .build();
    }

    record Reply(int status, JsonNode body) {}

    JsonNode get(String path)
    {
        Reply reply = call(DockerHttpClient.Request.Method.GET, path, null);
        if (reply.status() != 200) {
            throw failure("GET", path, reply);
        }
        return reply.body();
    }

    Reply call(DockerHttpClient.Request.Method method, String path, Object body)
    {
        return call(method, path, body, Optional.empty());
    }

    /**
     * @param auth credentials the engine hands to the image's registry: for looking up an image, and with a
     *         service, whose workers then pull with them (what {@code docker service create --with-registry-auth} sends)
     */
    Reply call(DockerHttpClient.Request.Method method, String path, Object body, Optional<RegistryAuth> auth)
    {
        DockerHttpClient.Request.Builder request = DockerHttpClient.Request.builder().method(method).path(VERSION + path);
        try {
            if (auth.isPresent()) {
                request.putHeader("X-Registry-Auth", registryAuthHeader(auth.get()));
            }
            if (body != null) {
                // A request's body stream is single-use: build it fresh for every call.
                request.putHeader("Content-Type", "application/json").body(new ByteArrayInputStream(JSON.writeValueAsBytes(body)));
            }
            try (DockerHttpClient.Response response = http.execute(request.build())) {
                byte[] bytes = response.getBody().readAllBytes();
                JsonNode parsed = bytes.length == 0 ? MissingNode.getInstance() : parse(bytes);
                return new Reply(response.getStatusCode(), parsed);
            }
        }
        catch (IOException | RuntimeException e) {
            if (e instanceof EngineException engineException) {
                throw engineException;
            }
            throw new EngineException("cannot reach the Docker engine at " + dockerHost + ": " + e.getMessage(), e);
        }
    }

    EngineException failure(String method, String path, Reply reply)
    {
        String message = reply.body().path("message").asText(reply.body().toString());
        return new EngineException("Docker engine refused " + method + " " + path + " (" + reply.status() + "): " + message, reply.status());
    }

    static String query(String name, Object filters)
    {
        try {
            return name + "=" + URLEncoder.encode(JSON.writeValueAsString(filters), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The engine's X-Registry-Auth header: its AuthConfig as JSON, in URL-safe base64. */
    static String registryAuthHeader(RegistryAuth auth)
            throws IOException
    {
        return Base64.getUrlEncoder().encodeToString(JSON.writeValueAsBytes(auth.engineFields()));
    }

    static String segment(String value)
    {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private JsonNode parse(byte[] bytes)
    {
        try {
            return JSON.readTree(bytes);
        }
        catch (IOException e) {
            // Some errors come back as plain text.
            return JSON.createObjectNode().put("message", new String(bytes, StandardCharsets.UTF_8).strip());
        }
    }

    @Override
    public void close()
    {
        try {
            http.close();
        }
        catch (IOException e) {
            throw new EngineException("cannot close connection to " + dockerHost, e);
        }
    }
}
