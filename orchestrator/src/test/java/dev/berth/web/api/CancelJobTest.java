package dev.berth.web.api;

import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.web.api.ApiFixture.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CancelJobTest
{
    @TempDir
    Path temp;

    private ApiFixture api;

    @BeforeEach
    void start()
    {
        api = new ApiFixture(temp);
        api.stored("{\"repo_uri\": \"github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"queued-1\"}");
        api.stored("{\"repo_uri\": \"github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"preparing-1\"}");
        api.store.writes().moveJob("preparing-1", Lifecycle.admitted());
    }

    @AfterEach
    void stop()
    {
        api.close();
    }

    @Test
    void aQueuedJobIsCancelledAtOnce()
    {
        Answer answer = api.post("/api/v1/jobs/queued/cancel", "");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).isEqualTo(api.json("{\"job_id\": \"queued-1\", \"state\": \"CANCELLED\"}"));
        assertThat(api.store.reads().job("queued-1").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void aJobInProgressIsLeftToTheSchedulerWhichIsWokenToStopIt()
    {
        Answer answer = api.post("/api/v1/jobs/preparing-1/cancel", "");

        assertThat(answer.json()).isEqualTo(api.json("{\"job_id\": \"preparing-1\", \"state\": \"PREPARING\"}"));
        assertThat(api.store.reads().job("preparing-1").orElseThrow().cancelRequested()).isTrue();
        assertThat(api.wakes.get()).isEqualTo(1);
    }

    @Test
    void anEndedJobStaysAsItEnded()
    {
        api.post("/api/v1/jobs/queued-1/cancel", "");
        int wakes = api.wakes.get();

        Answer again = api.post("/api/v1/jobs/queued-1/cancel", "");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("state").asText()).isEqualTo("CANCELLED");
        assertThat(api.wakes.get()).as("nothing for the scheduler to do").isEqualTo(wakes);
    }

    @Test
    void anUnknownJobIs404()
    {
        Answer answer = api.post("/api/v1/jobs/nothing/cancel", "");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.error()).startsWith("no job 'nothing'");
    }
}
