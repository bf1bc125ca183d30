package dev.berth.web.dashboard;

import dev.berth.swarm.SwarmNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WorkersPageTest
{
    @TempDir
    Path temp;

    @Test
    void showsTheSwarmsNodesJoinedWithTheirHeartbeats()
            throws Exception
    {
        SwarmNode gpu = new SwarmNode("n1", "gpu-1", "ready", "active", Map.of(SwarmNode.POOL_LABEL, "gpu"), 8_000_000_000L, 1L << 34, List.of("GPU-a", "GPU-b"));
        SwarmNode lost = new SwarmNode("n2", "spot-9", "down", "active", Map.of(SwarmNode.POOL_LABEL, "spot"), 2_000_000_000L, 1L << 32, List.of());
        try (DashboardServer dashboard = DashboardServer.start(temp, () -> List.of(gpu, lost))) {
            long now = DashboardServer.NOW.getEpochSecond();
            Path heartbeats = Files.createDirectories(dashboard.config().workersDir());
            Files.writeString(heartbeats.resolve("gpu-1"), """
                    {"version":1,"hostname":"gpu-1","node_id":"n1","pool":"gpu","lifecycle":"on-demand","state":"active","docker":"ok",\
                    "written_at":%d,"last_busy_at":%d,"started_at":%d,"gpus":["GPU-a","GPU-b"],\
                    "jobs":[{"container":"c1","job":"train-<b>1</b>","attempt":"2"}]}
                    """.formatted(now - 5, now - 5, now - 500));
            Files.writeString(heartbeats.resolve("broken"), "{not json");

            HttpResponse<String> page = dashboard.get("/workers");

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body())
                    .contains("<td>gpu-1</td>", "<td>ready/active</td>", "<td class=\"time\">5s ago</td>", "2 (GPU-a, GPU-b)")
                    .contains("<a href=\"/jobs/train-%3Cb%3E1%3C%2Fb%3E\">train-&lt;b&gt;1&lt;/b&gt;/2</a>")
                    .contains("<td>spot-9</td>", "NODE_DOWN")
                    .contains("<dt>MISSING_HEARTBEAT</dt>", "<dt>broken</dt>")
                    .doesNotContain("<b>1</b>");
        }
    }

    @Test
    void anUnhealthyWorkerShowsWhyEscaped()
            throws Exception
    {
        SwarmNode gpu = new SwarmNode("n1", "gpu-1", "ready", "drain", Map.of(SwarmNode.POOL_LABEL, "gpu", SwarmNode.DRAINED_BY_LABEL, "unhealthy"),
                8_000_000_000L, 1L << 34, List.of("GPU-a"));
        try (DashboardServer dashboard = DashboardServer.start(temp, () -> List.of(gpu))) {
            long now = DashboardServer.NOW.getEpochSecond();
            Path heartbeats = Files.createDirectories(dashboard.config().workersDir());
            Files.writeString(heartbeats.resolve("gpu-1"), """
                    {"version":1,"hostname":"gpu-1","node_id":"n1","pool":"gpu","lifecycle":"on-demand","state":"active","docker":"ok",\
                    "written_at":%d,"last_busy_at":%d,"started_at":%d,"unhealthy":"Xid 79 <i>on</i> PCI:0000:00:1e","unhealthy_reported_at":%d,\
                    "gpus":["GPU-a"],"jobs":[]}
                    """.formatted(now - 5, now - 5, now - 500, now - 60));

            HttpResponse<String> page = dashboard.get("/workers");

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body())
                    .contains("<td class=\"flagged\">unhealthy: Xid 79 &lt;i&gt;on&lt;/i&gt; PCI:0000:00:1e (reported to its Auto Scaling group at "
                            + DashboardServer.NOW.minusSeconds(60) + ")</td>")
                    .contains("<dt>UNHEALTHY</dt>")
                    .doesNotContain("<i>on</i>");
        }
    }

    @Test
    void anEngineThatDoesNotAnswerLeavesTheHeartbeatsToSee()
            throws Exception
    {
        try (DashboardServer dashboard = DashboardServer.start(temp, () -> {
            throw new IllegalStateException("Cannot connect to the Docker daemon");
        })) {
            HttpResponse<String> page = dashboard.get("/workers");

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("cannot list the swarm's nodes (Cannot connect to the Docker daemon): only the heartbeats are shown");
        }
    }
}
