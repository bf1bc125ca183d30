package dev.berth.cli;

import dev.berth.job.ArraySpec;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.store.JobStore;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code berth submit} says of a request it does not send, and what it prints of one it sends
 * to an embedded queue in the test's state dir; what the daemon makes of it is tested end to end.
 */
class SubmitCommandTest
{
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path temp;

    @Test
    void aFileAndFlagsTogetherAreRefusedNamingTheFlags()
            throws IOException
    {
        Path file = requests("{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\"}");

        Result result = submit(Map.of(), "--file", file.toString(), "--repo", "x", "--cpus", "2", "--env", "A=1", "--job-id", "j");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth submit: give the request either with --file or with flags, not both (also given: --repo, --cpus, --env);"
                + " only --job-id may accompany --file\n");
    }

    @Test
    void oneBadRequestOfSeveralSendsNone()
            throws IOException
    {
        Path file = requests("""
                {"repo_uri": "github.com/a/b", "branch": "main", "entrypoint": "a.sh"}
                {"repo_uri": "github.com/a/b", "branch": "main", "entrypoint": "/x"}
                """);

        Result result = submit(Map.of(), "--file", file.toString());

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("berth submit: invalid request 2 of 2 in " + file + ": entrypoint '/x' must be a path inside the repository,"
                + " not an absolute path (it runs from the checkout root, e.g. scripts/train.sh) (nothing was sent)\n");
    }

    @Test
    void requestsOnStandardInputAreCheckedAsAFilesAre()
    {
        String requests = """
                {"repo_uri": "github.com/a/b", "branch": "main", "entrypoint": "a.sh"}
                {"repo_uri": "github.com/a/b", "branch": "main", "entrypoint": "/x"}
                """;

        Result result = submit(requests.getBytes(StandardCharsets.UTF_8), Map.of(), "--file", "-");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth submit: invalid request 2 of 2 in -: entrypoint '/x' must be a path inside the repository,"
                + " not an absolute path (it runs from the checkout root, e.g. scripts/train.sh) (nothing was sent)\n");
    }

    @Test
    void severalRequestsCannotBeWaitedFor()
            throws IOException
    {
        Path file = requests("{\"entrypoint\": \"a.sh\"}\n{\"entrypoint\": \"b.sh\"}\n");

        Result result = submit(Map.of(), "--file", file.toString(), "--wait");

        assertThat(result.err()).isEqualTo("berth submit: --wait follows one job, but " + file + " holds 2 requests; follow them with 'berth list' or 'berth status'\n");
    }

    @Test
    void aBadArrayRangeIsRefusedQuotingItBeforeAnythingIsSent()
    {
        Result result = submit(Map.of(), "--repo", "github.com/a/b", "--entrypoint", "a.sh", "--array", "0-50000");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("berth submit: invalid request: array '0-50000' is not valid: it makes 50001 tasks; the limit is 10000"
                + " (submit several arrays, or use a STEP); expected " + ArraySpec.FORM + "\n");
    }

    @Test
    void anArrayOfRequestsInAFileIsGivenInTheFile()
            throws IOException
    {
        Path file = requests("{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\"}");

        Result result = submit(Map.of(), "--file", file.toString(), "--array", "0-9");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth submit: --array goes with a request given as flags; in a request file, give \"array\": \"0-9\" in the request\n");
    }

    @Test
    void aDefaultMemoryBerthCannotReadIsRefusedByName()
    {
        Result result = submit(Map.of("BERTH_DEFAULT_MEMORY", "lots"), "--repo", "github.com/a/b", "--entrypoint", "a.sh");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth submit: BERTH_DEFAULT_MEMORY must be a size such as 1g, got 'lots'\n");
    }

    @Test
    void withNoQueueTheUserIsToldHowToGetOne()
    {
        Result result = submit(Map.of(), "--repo", "github.com/a/b", "--entrypoint", "a.sh");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth submit: no queue configured: set BERTH_QUEUE_URL, or start 'berth serve'"
                + " (with no queue configured it runs an embedded one)\n");
    }

    @Test
    void aBadSecretNameIsRefusedBeforeAnythingIsAsked()
    {
        Result result = submit(Map.of(), "--repo", "github.com/a/b", "--entrypoint", "a.sh", "--secret", "hf token");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth submit: invalid request: secrets[0] 'hf token' is not valid:"
                + " expected 1-64 letters, digits, '_', '.' or '-', starting and ending with a letter or digit\n");
    }

    @Test
    void withTheEngineOutOfReachSecretsAreLeftForTheDaemonToCheck()
    {
        Result result = submit(Map.of("BERTH_DOCKER_HOST", "unix://" + temp.resolve("no-engine.sock")), "--repo", "github.com/a/b", "--entrypoint", "a.sh",
                "--secret", "hf_token");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).startsWith("berth submit: note: cannot check the secrets with the Docker engine (")
                .contains("'berth serve' checks them when the job arrives\n")
                .endsWith("berth submit: no queue configured: set BERTH_QUEUE_URL, or start 'berth serve' (with no queue configured it runs an embedded one)\n");
    }

    @Test
    void anEnvValueThatLooksLikeACredentialIsWarnedOfByKeyOnly()
    {
        Result result = submit(Map.of(), "--repo", "github.com/a/b", "--entrypoint", "a.sh", "--job-id", "j1",
                "--env", "SEED=7", "--env", "HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345");

        assertThat(result.err()).startsWith("berth submit: warning: job j1: env HF_TOKEN looks like a credential.")
                .contains("then --secret NAME")
                .doesNotContain("hf_AbCd");
    }

    @Test
    void jsonPrintsTheIdsSent()
            throws Exception
    {
        Path file = requests("{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\", \"job_id\": \"one\"}\n"
                + "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"b.sh\", \"job_id\": \"two\"}\n");
        try (EmbeddedSqs queue = embeddedQueue()) {
            Result flags = submit(Map.of(), "--json", "--repo", "github.com/a/b", "--entrypoint", "a.sh", "--job-id", "j1");
            Result several = submit(Map.of(), "--json", "--file", file.toString());

            assertThat(flags.status()).as(flags.err()).isZero();
            assertThat(JobViews.mapper().readTree(flags.out())).isEqualTo(JobViews.mapper().readTree("{\"job_ids\": [\"j1\"]}"));
            assertThat(several.status()).as(several.err()).isZero();
            assertThat(JobViews.mapper().readTree(several.out())).isEqualTo(JobViews.mapper().readTree("{\"job_ids\": [\"one\", \"two\"]}"));
            assertThat(submit(Map.of(), "--repo", "github.com/a/b", "--entrypoint", "a.sh", "--job-id", "j2").out()).as("without --json").isEqualTo("j2\n");
        }
    }

    @Test
    void waitingWithJsonPrintsTheJobsEndAsStatusDoes()
            throws Exception
    {
        // Stored and cancelled already, as a daemon would have taken it and a cancel ended it: the wait sees its end at once
        try (JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
            String body = "{\"repo_uri\": \"https://github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\", \"job_id\": \"w1\"}";
            store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, "w1"), body, Optional.empty(), NOW);
            store.writes().requestCancel("w1", NOW);
        }
        try (EmbeddedSqs queue = embeddedQueue()) {
            Result waited = submit(Map.of(), "--json", "--wait", "--repo", "github.com/a/b", "--entrypoint", "a.sh", "--job-id", "w1");
            Result status = run("status", "--state-dir", temp.resolve("state").toString(), "--json", "w1");

            assertThat(waited.status()).as(waited.err()).isEqualTo(130);
            assertThat(waited.out()).as("one document: the job's end").isEqualTo(status.out());
            assertThat(JobViews.mapper().readTree(waited.out()).get("state").asText()).isEqualTo("CANCELLED");
            assertThat(waited.err()).contains("job w1: CANCELLED");
        }
    }

    /** The queue {@code berth serve} would run in the test's state dir, recorded there for the CLI to find. */
    private EmbeddedSqs embeddedQueue()
            throws IOException
    {
        Path stateDir = temp.resolve("state");
        EmbeddedSqs queue = EmbeddedSqs.start(0, stateDir);
        queue.endpoint().recordEmbedded(stateDir);
        return queue;
    }

    private record Result(int status, String out, String err) {}

    private Result submit(Map<String, String> environment, String... args)
    {
        return submit(new byte[0], environment, args);
    }

    private Result submit(byte[] standardInput, Map<String, String> environment, String... args)
    {
        TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 3];
        all[0] = "submit";
        all[1] = "--state-dir";
        all[2] = temp.resolve("state").toString();
        System.arraycopy(args, 0, all, 3, args.length);
        int status = new BerthCli(environment, clock, clock.sleeper()).execute(new ByteArrayInputStream(standardInput), new PrintWriter(out), new PrintWriter(err), all);
        return new Result(status, out.toString(), err.toString());
    }

    private static Result run(String... args)
    {
        TestingClock clock = new TestingClock(NOW);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new BerthCli(Map.of(), clock, clock.sleeper()).execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }

    private Path requests(String content)
            throws IOException
    {
        return Files.writeString(Files.createTempFile(temp, "requests", ".jsonl"), content);
    }
}
