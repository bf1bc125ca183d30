package dev.berth.selftest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code berth selftest} and its HTTP endpoint against a real daemon on the local swarm, with the
 * default image (busybox: no python, no numpy), whose node advertises one fake GPU.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SelftestSwarmIntegrationTest
{
    private static final Pattern SENT = Pattern.compile("^selftest: job (selftest-[0-9a-f]{12}) sent: commit [0-9a-f]{12} ", Pattern.MULTILINE);
    private static final String STAGE_TIME = " \\d\\d:\\d\\d:\\d\\d\\.\\d{3} +\\+\\d+\\.\\ds  ";

    @TempDir
    static Path temp;

    private final ObjectMapper mapper = new ObjectMapper();
    private BerthHarness berth;

    @BeforeAll
    void start()
            throws IOException
    {
        berth = BerthHarness.start(temp, Map.of());
    }

    @AfterAll
    void stop()
            throws IOException
    {
        berth.close();
    }

    @Test
    void theSelfTestProvesTheWholeCircuitMultiplyingWithAwkOnTheDefaultImage()
            throws IOException
    {
        BerthHarness.CliResult run = berth.cli("selftest");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> stages = List.of(
                "(?m)^  queued   " + STAGE_TIME + "received by the daemon$",
                "(?m)^  prepared " + STAGE_TIME + "commit [0-9a-f]{12}, image \\S+$",
                "(?m)^  running  " + STAGE_TIME + "on node \\S+$",
                "(?m)^  done     " + STAGE_TIME + "SUCCEEDED, exit code 0$");
        int previous = -1;
        for (String stage : stages) {
            Matcher line = Pattern.compile(stage).matcher(run.out());
            assertThat(line.find()).as(stage + " in:\n" + run.out()).isTrue();
            assertThat(line.start()).as("stages in order").isGreaterThan(previous);
            previous = line.start();
        }
        assertThat(run.out()).contains("selftest: OK: the whole circuit works");

        Job job = berth.store().reads().job(jobId(run.out())).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        String stdout = stdout(job);
        assertThat(stdout).contains("cpu: no numpy in this image (no python): multiplied 120x120 with awk, ")
                .containsPattern("awk, [0-9.]+ MFLOP/s \\([0-9.]+ s\\); product checked: A\\(Bx\\) = \\(AB\\)x exactly")
                .endsWith("selftest: OK\n");
        assertThat(run.out()).as("the job's figures are shown").contains("  cpu: no numpy in this image (no python): multiplied 120x120 with awk");
    }

    @Test
    void aGpuAskedForIsGivenButWithNoGpuLibraryTheSelfTestFailsSayingSo()
            throws IOException
    {
        BerthHarness.CliResult run = berth.cli("selftest", "--gpus", "1", "--json");

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        JsonNode outcome = mapper.readTree(run.out());
        String id = outcome.path("job_id").asText();
        assertThat(outcome.path("ok").asBoolean()).isFalse();
        assertThat(outcome.path("failed_stage").asText()).isEqualTo("done");
        assertThat(outcome.path("stages").has("running")).as("placed on the node with the (fake) GPU").isTrue();
        assertThat(outcome.path("output").asText())
                .contains("cpu: no numpy in this image (no python): multiplied 120x120 with awk")
                .containsPattern("gpu: asked for 1, assigned: GPU=\\S+")
                .contains("gpu: FAILED: this image has no python, so no GPU library (torch or cupy)")
                .endsWith("selftest: FAILED: gpu\n");
        assertThat(run.err()).contains("berth selftest: failed at 'done': job " + id + " ran but ended FAILED (exit)",
                "it says: gpu: FAILED: this image has no python", "see 'berth logs " + id + "'");
        assertThat(berth.store().reads().job(id).orElseThrow().spec().resources().gpus()).isEqualTo(1);
    }

    @Test
    void theEndpointStartsTheSameSelfTestWhichSucceeds()
            throws Exception
    {
        HttpRequest post = HttpRequest.newBuilder(berth.webUri().resolve("/api/v1/selftest"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = mapper.readTree(response.body()).path("job_id").asText();
        Job job = berth.awaitEnd(id);
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(stdout(job)).contains("multiplied 120x120 with awk").endsWith("selftest: OK\n");
        // The daemon's repository, in the shared dir, at the commit the same files make anywhere
        assertThat(job.spec().repo().uri()).startsWith("file://" + berth.config().sharedDir().toAbsolutePath().resolve("selftest/repo.git"));
        assertThat(job.commit()).contains(new SelfTestRepository(temp.resolve("elsewhere")).materialise().commit());
    }

    private static String jobId(String out)
    {
        Matcher sent = SENT.matcher(out);
        assertThat(sent.find()).as(out).isTrue();
        return sent.group(1);
    }

    private static String stdout(Job job)
            throws IOException
    {
        return Files.readString(job.runDir().orElseThrow().resolve("stdout.txt"));
    }
}
