package dev.berth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionTimeoutException;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus server (Debian's {@code prometheus}) on a free loopback port, scraping one target
 * every second, with its data in a folder of the test's. Asked through its HTTP API, as Grafana asks it.
 */
public final class LocalPrometheus
        implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final URI uri;
    private final Path log;
    private final HttpClient client = HttpClient.newHttpClient();

    private LocalPrometheus(Process process, URI uri, Path log)
    {
        this.process = process;
        this.uri = uri;
        this.log = log;
    }

    /** @param target what to scrape, as {@code host:port} (its {@code /metrics}) */
    public static LocalPrometheus start(Path dir, String target)
            throws IOException
    {
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: berth
                    static_configs:
                      - targets: ['%s']
                """.formatted(target));
        int port = GitDaemon.freePort();
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LocalPrometheus prometheus = new LocalPrometheus(process, URI.create("http://127.0.0.1:" + port + "/"), log);
        try {
            prometheus.awaitReady();
        }
        catch (RuntimeException e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    private void awaitReady()
    {
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> get(uri.resolve("-/ready")).statusCode() == 200);
        }
        catch (ConditionTimeoutException e) {
            throw new IllegalStateException("prometheus did not become ready; its log: " + logText(), e);
        }
    }

    /** The values of an instant PromQL query, one per series it returns. */
    public List<Double> query(String promql)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = get(uri.resolve("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !body.path("status").asText().equals("success")) {
            throw new IllegalStateException("query " + promql + " failed: " + response.body());
        }
        List<Double> values = new ArrayList<>();
        for (JsonNode series : body.path("data").path("result")) {
            values.add(Double.parseDouble(series.path("value").get(1).asText()));
        }
        return values;
    }

    /** What Prometheus says of its scrape target: its health and last error, for a failing test to show. */
    public String targets()
            throws IOException, InterruptedException
    {
        return get(uri.resolve("api/v1/targets")).body();
    }

    private HttpResponse<String> get(URI target)
            throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String logText()
    {
        try {
            return Files.readString(log);
        }
        catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close()
    {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
