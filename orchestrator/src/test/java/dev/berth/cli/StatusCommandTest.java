package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.config.PoolPrice.Market;
import dev.berth.cost.Cost;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobStore;
import dev.berth.testing.StoredJobs;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth status} read from the database, as with no daemon running: the job, and what its checkpoint dir holds. */
class StatusCommandTest
{
    private static final Instant NOW = Instant.parse("2026-12-01T23:40:00Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);

    @Test
    void showsTheCheckpointsSizeAndLastChange()
            throws Exception
    {
        Path runDir = store("saver");
        Path checkpoint = Files.createDirectories(runDir.resolve("checkpoint"));
        Files.writeString(checkpoint.resolve("count"), "42\n");
        Files.write(checkpoint.resolve("weights.bin"), new byte[2048]);
        Files.setLastModifiedTime(checkpoint.resolve("count"), FileTime.from(NOW.minusSeconds(5)));
        Files.setLastModifiedTime(checkpoint.resolve("weights.bin"), FileTime.from(NOW.minusSeconds(65)));
        Files.setLastModifiedTime(checkpoint, FileTime.from(NOW.minusSeconds(65)));

        String text = run("status", "saver");
        JsonNode json = JobViews.mapper().readTree(run("status", "--json", "saver"));

        assertThat(text).containsPattern("checkpoint: +2.00 KiB in 2 files, last changed " + JobViews.time(NOW.minusSeconds(5)));
        assertThat(json.path("checkpoint").path("dir").asText()).isEqualTo(checkpoint.toString());
        assertThat(json.path("checkpoint").path("bytes").asLong()).isEqualTo(2051);
        assertThat(json.path("checkpoint").path("files").asLong()).isEqualTo(2);
        assertThat(json.path("checkpoint").path("last_change").asText()).isEqualTo(NOW.minusSeconds(5).toString());
        assertThat(json.path("checkpoint").path("complete").asBoolean()).isTrue();
    }

    @Test
    void anEmptyCheckpointSaysSoAndAJobWithoutOneShowsNone()
            throws Exception
    {
        Files.createDirectories(store("fresh").resolve("checkpoint"));
        store("older");

        assertThat(run("status", "fresh")).containsPattern("checkpoint: +empty");
        assertThat(run("status", "older")).doesNotContain("checkpoint");
        assertThat(JobViews.mapper().readTree(run("status", "--json", "older")).path("checkpoint").isNull()).isTrue();
    }

    @Test
    void aQueuedJobShowsItsPlaceInLineAndAJobThatLeftTheQueueShowsNone()
            throws Exception
    {
        store("ahead");
        store("behind");

        JsonNode queue = JobViews.mapper().readTree(run("status", "--json", "behind")).path("queue");

        assertThat(run("status", "behind")).containsPattern("queue: +2 of 2 waiting for any node; no estimated start yet");
        assertThat(queue.path("position").asInt()).isEqualTo(2);
        assertThat(queue.path("waiting").asInt()).isEqualTo(2);
        assertThat(queue.path("pool").isNull()).isTrue();
        assertThat(queue.path("estimated_start").isNull()).as("nothing runs, so nothing says when a place comes free").isTrue();

        run("cancel", "ahead");
        assertThat(run("status", "ahead")).doesNotContain("queue:");
        assertThat(JobViews.mapper().readTree(run("status", "--json", "ahead")).path("queue").isNull()).isTrue();
        assertThat(run("status", "behind")).as("the job ahead left the line").containsPattern("queue: +1 of 1 waiting");
    }

    @Test
    void aJobsCostIsShownInStatusAndListedWithEveryJobAndAnUnknownOneSaysWhy()
            throws Exception
    {
        try (JobStore store = JobStore.open(temp.resolve("state/berth.db"))) {
            StoredJobs jobs = new StoredJobs(store);
            jobs.job("priced").received(NOW).started(NOW).cost(Cost.priced(0.42, 0.126, Market.SPOT)).succeeded(NOW.plusSeconds(600));
            jobs.job("gpu").received(NOW).started(NOW).cost(Cost.unknown("no price for pool gpu")).failed(NOW.plusSeconds(600));
        }
        store("waiting");

        assertThat(run("status", "priced")).containsPattern("cost: +0.42 instance-hours, \\$0.13 \\(spot\\)");
        assertThat(run("status", "gpu")).containsPattern("cost: +unknown \\(no price for pool gpu\\)");
        assertThat(run("status", "waiting")).as("nothing ran yet").doesNotContain("cost:");

        JsonNode priced = JobViews.mapper().readTree(run("status", "--json", "priced")).path("cost");
        assertThat(priced.path("instance_hours").asDouble()).isEqualTo(0.42);
        assertThat(priced.path("usd").asDouble()).isEqualTo(0.126);
        assertThat(priced.path("markets").get(0).asText()).isEqualTo("spot");
        assertThat(priced.path("unknown")).isEmpty();
        JsonNode listed = JobViews.mapper().readTree(run("list", "--json"));
        assertThat(listed).hasSize(3);
        for (JsonNode job : listed) {
            JsonNode cost = job.path("cost");
            switch (job.path("id").asText()) {
                case "priced" -> assertThat(cost).isEqualTo(priced);
                case "gpu" -> {
                    assertThat(cost.path("usd").isNull()).as("unknown is null, never 0").isTrue();
                    assertThat(cost.path("instance_hours").isNull()).isTrue();
                    assertThat(cost.path("unknown").get(0).asText()).isEqualTo("no price for pool gpu");
                }
                default -> assertThat(cost.path("usd").asDouble()).as("queued: nothing spent").isZero();
            }
        }
    }

    /** A job stored and given its run dir, as a daemon's preparation does; returns the run dir. */
    private Path store(String id)
            throws Exception
    {
        Path runDir = temp.resolve("shared/runs/20261201_234000_job_" + id);
        try (JobStore store = JobStore.open(temp.resolve("state/berth.db"))) {
            String body = "{\"repo_uri\": \"https://github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\", \"job_id\": \"" + id + "\"}";
            store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, id), body, Optional.empty(), NOW);
            store.writes().recordRunDir(id, runDir);
        }
        return Files.createDirectories(runDir);
    }

    private String run(String... arguments)
    {
        BerthCli cli = new BerthCli(Map.of("BERTH_STATE_DIR", temp.resolve("state").toString(), "BERTH_CLI_DIRECT", "1"), clock, clock.sleeper());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = cli.execute(new PrintWriter(out), new PrintWriter(err), arguments);
        assertThat(status).as(err.toString()).isZero();
        return out.toString();
    }
}
