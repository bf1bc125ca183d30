package dev.berth.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

/**
 * S3Proxy, an S3-compatible server, over a file-system blob store in a temp dir, in a JVM of its own
 * (its Jetty 11 cannot share a class path with berth's Jetty 12). It checks AWS signatures against
 * {@link #IDENTITY} and {@link #CREDENTIAL}. The build copies its jar to the path in the system
 * property {@code berth.s3proxy.jar} before the integration tests.
 */
public final class S3ProxyServer
        implements AutoCloseable
{
    public static final String IDENTITY = "berth-test-access-key";
    public static final String CREDENTIAL = "berth-test-secret-key";
    public static final String REGION = "us-east-1";

    private final Process process;
    private final int port;

    private S3ProxyServer(Process process, int port)
    {
        this.process = requireNonNull(process, "process is null");
        this.port = port;
    }

    public static S3ProxyServer start(Path dir)
            throws IOException
    {
        String jar = System.getProperty("berth.s3proxy.jar", "");
        if (jar.isEmpty() || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("no S3Proxy jar at '" + jar + "' (system property berth.s3proxy.jar): run the test through mvn verify, "
                    + "which copies org.gaul:s3proxy:2.6.0:jar-with-dependencies there");
        }
        Path blobs = Files.createDirectories(dir.resolve("blobs"));
        int port = GitDaemon.freePort();
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + blobs,
                "jclouds.identity=unused",
                "jclouds.credential=unused",
                ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-jar", jar, "--properties", properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("s3proxy.log").toFile())
                .start();
        S3ProxyServer server = new S3ProxyServer(process, port);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("S3Proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                }
                return server.listening();
            });
        }
        catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public String endpoint()
    {
        return "http://127.0.0.1:" + port;
    }

    /** A client of the test's own, as the file system's export writes with its. */
    public S3Client client()
    {
        return S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(REGION))
                .endpointOverride(URI.create(endpoint()))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .build();
    }

    private boolean listening()
    {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close()
    {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
