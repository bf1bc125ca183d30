package dev.berth.web.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class JobsFeedTest
{
    @TempDir
    Path temp;

    @Test
    void tellsAPageTheMarkerOnConnectingAndAgainWhenTheStoreChanges()
            throws Exception
    {
        try (DashboardServer dashboard = DashboardServer.start(temp, List::of)) {
            dashboard.submit("job-1", "");
            long before = dashboard.store().reads().changeMarker();
            List<String> lines = new CopyOnWriteArrayList<>();
            HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(dashboard.uri("/events/jobs")).build(), HttpResponse.BodyHandlers.ofLines())
                    .thenAccept(response -> response.body().forEach(lines::add));

            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("data: " + before));
            assertThat(lines).contains("event: jobs");

            dashboard.store().writes().requestCancel("job-1", DashboardServer.NOW);
            long after = dashboard.store().reads().changeMarker();
            assertThat(after).isNotEqualTo(before);
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("data: " + after));
            assertThat(Stream.of(lines.toArray(String[]::new)).filter(line -> line.startsWith("data: ")).count()).isEqualTo(2);
        }
    }
}
