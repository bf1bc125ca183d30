package dev.berth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient.Request.Method;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import org.awaitility.core.ConditionTimeoutException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

/**
 * A real image registry on 127.0.0.1: Debian's {@code docker-registry} (distribution 2.8) with TLS, from
 * a self-signed certificate that the local engine trusts through {@code /etc/docker/certs.d/<host:port>/ca.crt}
 * (read at every pull, so dockerd needs no restart), and htpasswd authentication for one user. Its config,
 * certificate and storage live in a temp dir. Needs root and the commands {@code docker-registry},
 * {@code openssl} and {@code htpasswd} (scripts/setup-local.sh installs them). Closing stops it, removes
 * its certs.d entry and the local engine's names for images of it.
 */
public final class LocalRegistry
        implements AutoCloseable
{
    private static final Path CERTS_D = Path.of("/etc/docker/certs.d");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path log;
    private final Path trust;
    private final String username;
    private final String password;
    private final DockerHttpClient engine;
    private final List<String> names = new ArrayList<>();

    private LocalRegistry(Process process, int port, Path log, Path trust, String username, String password)
    {
        this.process = process;
        this.port = port;
        this.log = log;
        this.trust = trust;
        this.username = username;
        this.password = password;
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(LocalSwarm.DOCKER_HOST).build();
        this.engine = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build();
    }

    public static LocalRegistry start(Path dir, String username, String password)
            throws IOException
    {
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
        Files.createDirectories(dir.resolve("storage"));
        int port = freePort();
        Path certificate = dir.resolve("registry.crt");
        Path key = dir.resolve("registry.key");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", certificate.toString());
        // distribution reads only bcrypt entries
        run(dir, "htpasswd", "-Bbc", dir.resolve("htpasswd").toString(), username, password);
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                  tls:
                    certificate: %s
                    key: %s
                auth:
                  htpasswd:
                    realm: berth-tests
                    path: %s
                """.formatted(dir.resolve("storage"), port, certificate, key, dir.resolve("htpasswd")));

        Path trust = CERTS_D.resolve("127.0.0.1:" + port);
        Files.createDirectories(trust);
        Files.copy(certificate, trust.resolve("ca.crt"));

        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LocalRegistry registry = new LocalRegistry(process, port, log, trust, username, password);
        try {
            registry.awaitListening();
        }
        catch (IOException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** Its host and port, as an image reference names it. */
    public String address()
    {
        return "127.0.0.1:" + port;
    }

    /**
     * Pushes a local image to {@code repository:tag} here and returns the digest the registry gave it.
     * The engine's own names for the pushed image are removed again, so that a job using it must pull it.
     */
    public String push(String localImage, String repository, String tag)
            throws IOException
    {
        String name = address() + "/" + repository;
        names.add(name + ":" + tag);
        expect(call(Method.POST, "/images/" + localImage + "/tag?repo=" + encode(name) + "&tag=" + encode(tag), Optional.empty()), 201, "tag");
        Reply pushed = call(Method.POST, "/images/" + name + "/push?tag=" + encode(tag), Optional.of(auth()));
        expect(pushed, 200, "push");
        String digest = null;
        // The push answers 200 and then streams its progress: a refusal comes as an error line in it
        for (String line : pushed.body().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode event = JSON.readTree(line);
            if (event.has("error")) {
                throw new IOException("push of " + name + ":" + tag + " failed: " + event.path("error").asText());
            }
            if (event.path("aux").has("Digest")) {
                digest = event.path("aux").path("Digest").asText();
            }
        }
        if (digest == null) {
            throw new IOException("push of " + name + ":" + tag + " reported no digest: " + pushed.body());
        }
        names.add(name + "@" + digest);
        forgetLocally();
        return digest;
    }

    /** Whether the local engine holds an image by this name (a pull by a job's service puts it there). */
    public boolean isOnEngine(String reference)
            throws IOException
    {
        return call(Method.GET, "/images/" + reference + "/json", Optional.empty()).status() == 200;
    }

    /** The registry's own log: what it served to whom. */
    public String log()
            throws IOException
    {
        return Files.readString(log);
    }

    @Override
    public void close()
            throws IOException
    {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            forgetLocally();
        }
        finally {
            Files.deleteIfExists(trust.resolve("ca.crt"));
            Files.deleteIfExists(trust);
            engine.close();
        }
    }

    /** Removes the engine's names for images of this registry; the image itself stays under its other names. */
    private void forgetLocally()
            throws IOException
    {
        for (String name : names) {
            Reply removed = call(Method.DELETE, "/images/" + name, Optional.empty());
            if (removed.status() != 200 && removed.status() != 404) {
                throw new IOException("cannot remove " + name + " from the engine (" + removed.status() + "): " + removed.body());
            }
        }
    }

    private String auth()
            throws IOException
    {
        Map<String, String> fields = Map.of("username", username, "password", password, "serveraddress", address());
        return Base64.getUrlEncoder().encodeToString(JSON.writeValueAsBytes(fields));
    }

    private record Reply(int status, String body) {}

    private Reply call(Method method, String path, Optional<String> registryAuth)
            throws IOException
    {
        DockerHttpClient.Request.Builder request = DockerHttpClient.Request.builder().method(method).path("/v1.41" + path);
        registryAuth.ifPresent(header -> request.putHeader("X-Registry-Auth", header));
        try (DockerHttpClient.Response response = engine.execute(request.build())) {
            return new Reply(response.getStatusCode(), new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void expect(Reply reply, int status, String what)
            throws IOException
    {
        if (reply.status() != status) {
            throw new IOException("the engine refused the " + what + " (" + reply.status() + "): " + reply.body());
        }
    }

    private void awaitListening()
            throws IOException
    {
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(this::listening);
        }
        catch (ConditionTimeoutException e) {
            throw new IOException("docker-registry did not listen on " + address() + " within 20s: " + log(), e);
        }
    }

    /** Whether the registry answers on its port; one that exited never will, and says why. */
    private boolean listening()
            throws IOException
    {
        if (!process.isAlive()) {
            throw new IOException("docker-registry exited with code " + process.exitValue() + ": " + log());
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    private static void run(Path dir, String... command)
            throws IOException
    {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            reader.lines().forEach(line -> output.append(line).append('\n'));
        }
        try {
            if (process.waitFor() != 0) {
                throw new IOException(command[0] + " failed with exit code " + process.exitValue() + ": " + output);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command[0], e);
        }
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String encode(String value)
    {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
