package dev.berth.cli;

import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobStore;
import dev.berth.testing.BadRequests;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
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
 * What {@code berth secret} refuses before it asks the engine anything; the engine's side (create, ls,
 * rm, a job reading its secret) is tested end to end in {@code SecretsSwarmIntegrationTest}.
 */
class SecretCommandsTest
{
    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));

    @Test
    void aBadNameIsRefusedSayingWhatIsAccepted()
    {
        Result result = run("secret", "create", "hf token", "--file", temp.resolve("missing").toString());

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth secret create: secret name 'hf token' is not valid:"
                + " expected 1-64 letters, digits, '_', '.' or '-', starting and ending with a letter or digit\n");
    }

    @Test
    void anEmptyValueIsRefused()
            throws Exception
    {
        Path empty = Files.createFile(temp.resolve("empty"));

        Result result = run("secret", "create", "hf_token", "--file", empty.toString());

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth secret create: the value of secret hf_token is empty: give it on standard input or with --file\n");
    }

    @Test
    void anEmptyStandardInputIsRefusedSayingWhereToGiveTheValue()
    {
        // As 'berth secret create hf_token </dev/null', or a pipe from a command that printed nothing
        Result result = run(new byte[0], "secret", "create", "hf_token");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("berth secret create: the value of secret hf_token is empty: give it on standard input or with --file\n");
    }

    @Test
    void aValueOnStandardInputOverSwarmsLimitIsRefusedWithoutEchoingIt()
    {
        Result result = run("s3cr3t".repeat(100_000).getBytes(StandardCharsets.UTF_8), "secret", "create", "hf_token");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth secret create: the value of secret hf_token is 600000 bytes; Swarm's limit is 512000\n");
        assertThat(result.out() + result.err()).doesNotContain("s3cr3t");
    }

    @Test
    void aValueOverSwarmsLimitIsRefusedWithoutEchoingIt()
            throws Exception
    {
        Path big = Files.writeString(temp.resolve("big"), "s3cr3t".repeat(100_000));

        Result result = run("secret", "create", "hf_token", "--file", big.toString());

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth secret create: the value of secret hf_token is 600000 bytes; Swarm's limit is 512000\n");
        assertThat(result.out() + result.err()).doesNotContain("s3cr3t");
    }

    @Test
    void aFileThatIsNotThereIsNamed()
    {
        Path missing = temp.resolve("missing");

        Result result = run("secret", "create", "hf_token", "--file", missing.toString());

        assertThat(result.err()).isEqualTo("berth secret create: cannot read the value of secret hf_token: " + missing + " is not a file\n");
    }

    @Test
    void aSecretIsNotRemovedWhileAJobThatNamesItHasNotEnded()
            throws Exception
    {
        try (JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
            RequestParser parser = new RequestParser(new RequestDefaults("img", 1, 1L << 30, 3));
            for (String id : new String[] {"train-1", "train-2"}) {
                String body = "{" + BadRequests.VALID_FIELDS + ", \"job_id\": \"" + id + "\", \"secrets\": [\"hf_token\"]}";
                store.writes().insert(parser.parse(body, id), body, Optional.empty(), clock.instant());
            }
        }

        Result result = run("secret", "rm", "hf_token");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("berth secret rm: secret hf_token is named by jobs train-1, train-2, not ended yet,"
                + " which would fail without it: cancel them or wait for their end\n");
    }

    @Test
    void secretAloneShowsItsCommands()
    {
        Result result = run("secret");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("say what to do with secrets: create, ls or rm", "create", "ls, list", "rm, remove");
    }

    @Test
    void helpListsTheSecretCommand()
    {
        assertThat(run("--help").out()).contains("secret");
        assertThat(run("secret", "ls", "--help").out()).contains("--json");
    }

    private record Result(int status, String out, String err) {}

    private Result run(String... args)
    {
        return run(new byte[0], args);
    }

    private Result run(byte[] standardInput, String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = args;
        if (args.length >= 2 && args[0].equals("secret")) {
            all = new String[args.length + 2];
            all[0] = args[0];
            all[1] = args[1];
            all[2] = "--state-dir";
            all[3] = temp.resolve("state").toString();
            System.arraycopy(args, 2, all, 4, args.length - 2);
        }
        int status = new BerthCli(Map.of(), clock, clock.sleeper()).execute(new ByteArrayInputStream(standardInput), new PrintWriter(out), new PrintWriter(err), all);
        return new Result(status, out.toString(), err.toString());
    }
}
