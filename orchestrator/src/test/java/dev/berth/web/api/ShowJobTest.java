package dev.berth.web.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cost.CostJson;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueJson;
import dev.berth.job.JobJson;
import dev.berth.job.Lifecycle;
import dev.berth.web.api.ApiFixture.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ShowJobTest
{
    @TempDir
    Path temp;

    private ApiFixture api;

    @BeforeEach
    void start()
    {
        api = new ApiFixture(temp);
        stored("train-001");
        stored("train-002");
        stored("eval-1");
    }

    @AfterEach
    void stop()
    {
        api.close();
    }

    @Test
    void aJobIsShownWithItsAttemptsAsStatusJsonShowsIt()
    {
        api.store.writes().moveJob("eval-1", Lifecycle.admitted());
        api.store.writes().recordAttempt("eval-1", 1, "berth-eval-1-1", api.clock.instant());

        Answer answer = api.get("/api/v1/jobs/eval-1");

        assertThat(answer.status()).isEqualTo(200);
        ObjectNode expected = JobJson.status(api.store.reads().job("eval-1").orElseThrow(), api.store.reads().attempts("eval-1"), Optional.empty(),
                new RunDirExports(Path.of("runs"), Optional.empty()), Optional.empty());
        QueueJson.put(expected, Optional.empty());
        JobJson.putDependencies(expected, api.store.reads().job("eval-1").orElseThrow(), List.of());
        CostJson.put(expected, api.store.reads().costs(List.of("eval-1")).get("eval-1"));
        assertThat(answer.json()).isEqualTo(api.json(expected.toString()));
        assertThat(answer.json().path("queue").isNull()).as("admitted, so no longer in line").isTrue();
        assertThat(answer.json().path("attempts").get(0).path("service").asText()).isEqualTo("berth-eval-1-1");
    }

    @Test
    void anUnambiguousPrefixNamesTheJob()
    {
        assertThat(api.get("/api/v1/jobs/ev").json().path("id").asText()).isEqualTo("eval-1");
        assertThat(api.get("/api/v1/jobs/train-002").json().path("id").asText()).isEqualTo("train-002");
    }

    @Test
    void noSuchJobIs404NamingTheId()
    {
        Answer answer = api.get("/api/v1/jobs/nothing");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.error()).isEqualTo("no job 'nothing' (see 'berth list'; a job sent a moment ago appears once the daemon has taken it off the queue)");
        assertThat(answer.json().path("field").asText()).isEqualTo("id");
    }

    @Test
    void anAmbiguousPrefixIs409ListingTheCandidates()
    {
        Answer answer = api.get("/api/v1/jobs/train");

        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.error()).isEqualTo("'train' matches several jobs (train-001, train-002); give more of the id");
        assertThat(answer.json().path("candidates")).extracting(node -> node.asText()).containsExactly("train-001", "train-002");
    }

    private void stored(String id)
    {
        api.stored("{\"repo_uri\": \"github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\"}");
    }
}
