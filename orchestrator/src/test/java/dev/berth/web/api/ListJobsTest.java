package dev.berth.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cost.Cost;
import dev.berth.cost.CostJson;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueJson;
import dev.berth.forecast.QueuePlace;
import dev.berth.job.JobJson;
import dev.berth.job.Lifecycle;
import dev.berth.store.JobFilter;
import dev.berth.web.api.ApiFixture.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ListJobsTest
{
    @TempDir
    Path temp;

    private ApiFixture api;

    @BeforeEach
    void start()
    {
        api = new ApiFixture(temp);
    }

    @AfterEach
    void stop()
    {
        api.close();
    }

    @Test
    void jobsComeNewestFirstAsTheCliListsThem()
    {
        stored("a", "train", "github.com/org/one");
        stored("b", "eval", "github.com/org/two");

        Answer answer = api.get("/api/v1/jobs");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(ids(answer)).containsExactly("b", "a");
        ObjectNode expected = JobJson.listed(api.store.reads().job("b").orElseThrow(), new RunDirExports(Path.of("runs"), Optional.empty()));
        QueueJson.put(expected, Optional.of(new QueuePlace(2, 2, Optional.empty(), Optional.empty())));
        CostJson.put(expected, Cost.NONE);
        assertThat(answer.json().path("jobs").get(0)).as("b waits behind a, and nothing runs to say when").isEqualTo(api.json(expected.toString()));
        assertThat(answer.json().path("jobs").get(0).has("attempts")).as("a listing, as list --json, leaves attempts to the status").isFalse();
        assertThat(answer.json().path("next").isNull()).isTrue();
    }

    @Test
    void filtersCombine()
    {
        stored("a", "train", "github.com/org/one");
        stored("b", "train", "github.com/org/two");
        stored("c", "eval", "github.com/org/one");
        stored("d", "train", "github.com/org/one");
        api.store.writes().requestCancel("d", api.clock.instant());
        api.store.writes().moveJob("a", Lifecycle.admitted());

        assertThat(ids(api.get("/api/v1/jobs?name=train"))).containsExactly("d", "b", "a");
        assertThat(ids(api.get("/api/v1/jobs?repo=https://github.com/org/one"))).containsExactly("d", "c", "a");
        assertThat(ids(api.get("/api/v1/jobs?repo=github.com/org/one&name=train"))).as("the repository in any form a request may give it").containsExactly("d", "a");
        assertThat(ids(api.get("/api/v1/jobs?state=queued,preparing&name=train"))).containsExactly("b", "a");
        assertThat(ids(api.get("/api/v1/jobs?state=CANCELLED&state=PREPARING"))).containsExactly("d", "a");
        assertThat(ids(api.get("/api/v1/jobs?name=nothing"))).isEmpty();
    }

    @Test
    void oneUsersJobs()
    {
        api.stored("{\"repo_uri\": \"github.com/org/one\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"a\", \"user\": \"ada\"}");
        api.stored("{\"repo_uri\": \"github.com/org/one\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"b\", \"user\": \"bob\"}");
        stored("c", "train", "github.com/org/one");

        assertThat(ids(api.get("/api/v1/jobs?user=ada"))).containsExactly("a");
        assertThat(ids(api.get("/api/v1/jobs?user=unknown"))).as("a job whose sender named no one").containsExactly("c");
        assertThat(api.get("/api/v1/jobs?user=bob").json().path("jobs").get(0).path("user").asText()).isEqualTo("bob");
    }

    @Test
    void pagesFollowOneAnotherThroughNextEvenAsJobsArrive()
    {
        for (int i = 0; i < 7; i++) {
            stored("job-" + i, "train", "github.com/org/one");
        }
        List<String> seen = new ArrayList<>();
        Answer page = api.get("/api/v1/jobs?limit=3");
        seen.addAll(ids(page));
        // A job stored between pages is on the first page of a new listing, and shifts none of this one's
        stored("late", "train", "github.com/org/one");
        while (!page.json().path("next").isNull()) {
            page = api.get("/api/v1/jobs?limit=3&before=" + page.json().path("next").asLong());
            seen.addAll(ids(page));
        }

        assertThat(seen).containsExactly("job-6", "job-5", "job-4", "job-3", "job-2", "job-1", "job-0");
        assertThat(ids(api.get("/api/v1/jobs?limit=1"))).containsExactly("late");
    }

    @Test
    void pagesOfCombinedFiltersFollowOneAnother()
    {
        for (int i = 0; i < 9; i++) {
            api.stored("{\"repo_uri\": \"github.com/org/one\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"name\": \"train\", \"job_id\": \"job-" + i
                    + "\", \"user\": \"" + (i % 3 == 0 ? "ada" : "bob") + "\"}");
        }
        List<String> seen = new ArrayList<>();
        Answer page = api.get("/api/v1/jobs?name=train&user=ada&repo=github.com/org/one&limit=2");
        seen.addAll(ids(page));
        while (!page.json().path("next").isNull()) {
            page = api.get("/api/v1/jobs?name=train&user=ada&repo=github.com/org/one&limit=2&before=" + page.json().path("next").asLong());
            seen.addAll(ids(page));
        }

        assertThat(seen).containsExactly("job-6", "job-3", "job-0");
    }

    @Test
    void aFullLastPageSaysThereIsNoNext()
    {
        stored("a", "train", "github.com/org/one");
        stored("b", "train", "github.com/org/one");

        Answer page = api.get("/api/v1/jobs?limit=2");

        assertThat(ids(page)).containsExactly("b", "a");
        assertThat(page.json().path("next").isNull()).isTrue();
    }

    @Test
    void theDefaultPageIsFiftyAndAPageAtMostFiveHundred()
    {
        for (int i = 0; i < 60; i++) {
            stored("job-" + i, "train", "github.com/org/one");
        }

        Answer first = api.get("/api/v1/jobs");

        assertThat(ids(first)).hasSize(50);
        long next = first.json().path("next").asLong();
        assertThat(api.store.reads().newestMatching(JobFilter.ALL, next, 100)).hasSize(10);
        assertThat(api.get("/api/v1/jobs?limit=501").error()).isEqualTo("limit must be a whole number from 1 to 500, got '501'");
    }

    @Test
    void badParametersAreRefusedNamingThem()
    {
        assertRefused("/api/v1/jobs?state=RUNING", "state",
                "state 'RUNING' is not a job state: give one or more of WAITING, QUEUED, PREPARING, SUBMITTED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, REJECTED, separated by commas");
        assertRefused("/api/v1/jobs?limit=0", "limit", "limit must be a whole number from 1 to 500, got '0'");
        assertRefused("/api/v1/jobs?limit=ten", "limit", "limit must be a whole number from 1 to 500, got 'ten'");
        assertRefused("/api/v1/jobs?before=-3", "before", "before must be the 'next' of an earlier page, a whole number above 0, got '-3'");
        assertRefused("/api/v1/jobs?staet=RUNNING", "staet", "unknown parameter 'staet': a listing takes state, name, repo, user, limit, before");
        assertRefused("/api/v1/jobs?name=a&name=b", "name", "name is given 2 times: give it once");
        assertRefused("/api/v1/jobs?name=", "name", "name is empty: give a value, or leave it out");
        Answer repo = api.get("/api/v1/jobs?repo=https://user:secret@github.com/org/one");
        assertThat(repo.status()).isEqualTo(400);
        assertThat(repo.json().path("field").asText()).isEqualTo("repo");
        assertThat(repo.error()).startsWith("repo: ").doesNotContain("secret");
    }

    private void assertRefused(String pathAndQuery, String field, String error)
    {
        Answer answer = api.get(pathAndQuery);
        assertThat(answer.status()).as(pathAndQuery).isEqualTo(400);
        assertThat(answer.error()).isEqualTo(error);
        assertThat(answer.json().path("field").asText()).isEqualTo(field);
    }

    private void stored(String id, String name, String repo)
    {
        api.stored("{\"repo_uri\": \"" + repo + "\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"name\": \"" + name + "\", \"job_id\": \"" + id + "\"}");
    }

    private static List<String> ids(Answer answer)
    {
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode job : answer.json().path("jobs")) {
            ids.add(job.path("id").asText());
        }
        return ids;
    }
}
