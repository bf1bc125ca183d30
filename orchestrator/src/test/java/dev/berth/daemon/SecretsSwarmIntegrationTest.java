package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.cli.BerthCli;
import dev.berth.config.BerthConfig;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.queue.QueueEndpoint;
import dev.berth.queue.SqsJobQueue;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmSecret;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import dev.berth.text.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Secrets on a real engine, through the command line as a user meets it and a real daemon process:
 * a job reads the secrets it names from /run/secrets (one made from a file, one piped to standard
 * input, each byte for byte as given), and the values are then looked for, and not found,
 * everywhere berth writes or shows anything: the SQLite files' bytes, every file of the shared dir
 * (what the fleet exports to S3), the daemon's log, list and status, and the service as
 * {@code docker service inspect} shows it. A secret Swarm lacks is refused by submit and rejected at
 * intake, one removed while its job waited fails the job, and rm keeps a secret a waiting job needs.
 */
class SecretsSwarmIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void aJobReadsItsSecretAndTheValueReachesNothingBerthWritesOrShows()
            throws Exception
    {
        LocalSwarm.ensureReady();
        String run = random(4);
        // Named for this run, so that another run on the same swarm never meets them
        String secret = "berth-it-" + run;
        String piped = "berth-it-piped-" + run;
        String removed = "berth-it-gone-" + run;
        String unknown = "berth-it-none-" + run;
        String value = "value-" + UUID.randomUUID() + "-" + random(8);
        // As 'echo "$TOKEN" | berth secret create NAME' gives it: the newline is part of the value
        String pipedValue = "piped-" + UUID.randomUUID() + "-" + random(8) + "\n";
        String envToken = "hf_" + random(17);
        Path valueFile = Files.writeString(temp.resolve("value"), value);

        try (GitRepos repo = GitRepos.create(temp.resolve("repo"));
                SwarmClient swarm = new SwarmClient(LocalSwarm.DOCKER_HOST)) {
            repo.commit(Map.of("read.sh", """
                    #!/bin/sh
                    for name in $ENTRYPOINT_PARAMS; do
                        file="/run/secrets/$name"
                        [ -r "$file" ] || { echo "cannot read $file" >&2; exit 3; }
                        echo "$name sha256 $(sha256sum < "$file" | cut -d' ' -f1)"
                        echo "$name bytes $(wc -c < "$file")"
                        echo "$name mode $(stat -c %a "$file")"
                    done
                    i=0
                    while [ ! -e "$BERTH_ATTEMPT_DIR/go" ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
                    """));
            // The daemon's embedded queue, which the command line finds through the state dir, as on one machine
            Map<String, String> environment = BerthProcess.settings(temp);
            List<String> shown = new ArrayList<>();

            try (BerthProcess berth = new BerthProcess(environment, temp.resolve("serve.log"));
                    JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
                try {
                    Cli created = cli(environment, "secret", "create", secret, "--file", valueFile.toString());
                    assertThat(created.status()).as(created.err()).isZero();
                    assertThat(created.out()).isEqualTo("secret " + secret + " created: jobs that name it (--secret " + secret + ") read it from /run/secrets/"
                            + secret + "\n");
                    shown.add(created.all());
                    Cli createdFromInput = cli(environment, pipedValue.getBytes(StandardCharsets.UTF_8), "secret", "create", piped);
                    assertThat(createdFromInput.status()).as(createdFromInput.err()).isZero();
                    assertThat(createdFromInput.out()).isEqualTo("secret " + piped + " created: jobs that name it (--secret " + piped + ") read it from /run/secrets/"
                            + piped + "\n");
                    shown.add(createdFromInput.all());
                    berth.start();

                    Cli listed = cli(environment, "secret", "ls");
                    Cli listedJson = cli(environment, "secret", "ls", "--json");
                    assertThat(listed.out()).contains(secret);
                    assertThat(JSON.readTree(listedJson.out())).anySatisfy(entry -> assertThat(entry.path("name").asText()).isEqualTo(secret));
                    shown.add(listed.all() + listedJson.all());

                    // A job naming the secrets reads them, and proves it without printing them
                    Cli submitted = cli(environment, "submit", "--repo", repo.fileUrl(), "--entrypoint", "read.sh", "--params", secret + " " + piped,
                            "--secret", secret, "--secret", piped, "--env", "HF_TOKEN=" + envToken, "--job-id", "reads-" + run);
                    assertThat(submitted.status()).as(submitted.err()).isZero();
                    assertThat(submitted.err()).contains("warning: job reads-" + run + ": env HF_TOKEN looks like a credential").doesNotContain(envToken);
                    shown.add(submitted.all());
                    Job running = awaitState(store, "reads-" + run, JobState.RUNNING);
                    String serviceName = Swarm.serviceName(running.id(), 1);
                    String inspected = engineGet("/services/" + serviceName);
                    JsonNode references = JSON.readTree(inspected).at("/Spec/TaskTemplate/ContainerSpec/Secrets");
                    assertThat(references).extracting(reference -> reference.path("SecretName").asText()).containsExactlyInAnyOrder(secret, piped);
                    assertThat(references).allSatisfy(reference -> {
                        assertThat(reference.at("/File/Name").asText()).isEqualTo(reference.path("SecretName").asText());
                        assertThat(reference.at("/File/Mode").asInt()).isEqualTo(0444);
                    });
                    String secretInspected = engineGet("/secrets/" + swarm.secret(secret).map(SwarmSecret::id).orElseThrow())
                            + engineGet("/secrets/" + swarm.secret(piped).map(SwarmSecret::id).orElseThrow());
                    shown.add(inspected + secretInspected);
                    Files.createFile(RunDirs.attemptDir(running.runDir().orElseThrow(), 1).resolve("go"));
                    Job read = awaitState(store, running.id(), JobState.SUCCEEDED);
                    assertThat(read.runDir().orElseThrow().resolve("stdout.txt")).hasContent(String.join("\n",
                            secret + " sha256 " + Sha256.hex(value), secret + " bytes " + value.length(), secret + " mode 444",
                            piped + " sha256 " + Sha256.hex(pipedValue), piped + " bytes " + pipedValue.length(), piped + " mode 444"));

                    // A secret Swarm lacks: refused by submit, which asks the engine first, and rejected at intake
                    Cli refused = cli(environment, "submit", "--repo", repo.fileUrl(), "--entrypoint", "read.sh", "--secret", unknown);
                    assertThat(refused.status()).isEqualTo(1);
                    assertThat(refused.err()).isEqualTo("berth submit: invalid request: secret '" + unknown + "' does not exist: create it with 'berth secret create "
                            + unknown + "'\n");
                    String messageId;
                    try (SqsJobQueue queue = new SqsJobQueue(QueueEndpoint.forClient(BerthConfig.load(environment)))) {
                        messageId = queue.send("{\"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"read.sh\", \"secrets\": [\""
                                + unknown + "\"]}", "tests", UUID.randomUUID().toString());
                    }
                    Job rejected = awaitState(store, Intake.idFor(messageId), JobState.REJECTED);
                    assertThat(rejected.reason()).contains("secret '" + unknown + "' does not exist: create it with 'berth secret create " + unknown + "'");

                    // A secret removed while its job waits: rm refuses while the job needs it, and preparation fails the job naming it
                    berth.stop();
                    assertThat(cli(environment, "secret", "create", removed, "--file", valueFile.toString()).status()).isZero();
                    storeAsIntakeWould(store, "waits-" + run, repo.fileUrl(), removed);
                    Cli kept = cli(environment, "secret", "rm", removed);
                    assertThat(kept.status()).isEqualTo(1);
                    assertThat(kept.err()).isEqualTo("berth secret rm: secret " + removed + " is named by job waits-" + run + ", not ended yet,"
                            + " which would fail without it: cancel it or wait for its end\n");
                    // as 'docker secret rm' would, which knows nothing of berth's jobs
                    swarm.removeSecret(swarm.secret(removed).orElseThrow().id());
                    berth.start();
                    Job failed = awaitState(store, "waits-" + run, JobState.FAILED);
                    assertThat(failed.cause()).contains(Cause.REQUEST);
                    assertThat(failed.reason()).contains("secret '" + removed + "' does not exist: create it with 'berth secret create " + removed + "'");

                    Cli removedNow = cli(environment, "secret", "rm", secret);
                    assertThat(removedNow.status()).as(removedNow.err()).isZero();
                    assertThat(removedNow.out()).isEqualTo("secret " + secret + " removed\n");
                    assertThat(cli(environment, "secret", "ls").out()).doesNotContain(secret);
                    assertThat(swarm.secret(secret)).isEmpty();

                    for (String id : List.of(read.id(), rejected.id(), failed.id())) {
                        shown.add(cli(environment, "status", id).all() + cli(environment, "status", id, "--json").all());
                    }
                    shown.add(cli(environment, "list").all() + cli(environment, "list", "--json").all());

                    Map<String, String> places = new LinkedHashMap<>();
                    places.put("the SQLite files", filesUnder(temp.resolve("state")));
                    places.put("the shared dir (job.json, result.json, logs)", filesUnder(temp.resolve("shared")));
                    places.put("the daemon's log", berth.logs());
                    places.put("what the command line showed (list, status, submit, secret create and ls)", String.join("\n", shown));
                    places.put("docker service inspect", inspected);
                    for (String secretValue : List.of(value, pipedValue)) {
                        String printable = secretValue.strip();
                        String encoded = Base64.getEncoder().encodeToString(secretValue.getBytes(StandardCharsets.UTF_8));
                        places.forEach((place, text) -> assertThat(text).as(place).isNotEmpty().doesNotContain(printable).doesNotContain(encoded));
                    }
                    // The scan does find what is stored: the env value, as the warning said
                    assertThat(places.get("the SQLite files")).contains(envToken);
                    assertThat(places.get("the daemon's log")).contains("env HF_TOKEN looks like a credential").doesNotContain(envToken);
                }
                finally {
                    for (Swarm.BerthService service : swarm.services(store.instanceId())) {
                        swarm.removeService(service.name());
                    }
                    for (String name : List.of(secret, piped, removed)) {
                        swarm.secret(name).ifPresent(left -> swarm.removeSecret(left.id()));
                    }
                }
            }
        }
    }

    /** What intake stores for a request whose secrets existed then: the daemon is stopped, so its preparation comes only after the removal. */
    private static void storeAsIntakeWould(JobStore store, String id, String repoUrl, String secret)
            throws Exception
    {
        String body = "{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repoUrl + "\", \"branch\": \"main\", \"entrypoint\": \"read.sh\", \"secrets\": [\""
                + secret + "\"]}";
        RequestParser parser = new RequestParser(new RequestDefaults(LocalSwarm.IMAGE, 0.1, 32L << 20, 3));
        store.writes().insert(parser.parse(body, id), body, Optional.empty(), Instant.now());
    }

    /** The job once in {@code state}; one that ended otherwise fails the test at once, saying how. */
    private static Job awaitState(JobStore store, String id, JobState state)
    {
        Job job = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> store.reads().job(id).orElse(null), found -> found != null && (found.state() == state || found.state().terminal()));
        assertThat(job.state()).as("job " + id + ": " + job.reason().orElse("")).isEqualTo(state);
        return job;
    }

    private record Cli(int status, String out, String err)
    {
        String all()
        {
            return out + err;
        }
    }

    private static Cli cli(Map<String, String> environment, String... args)
    {
        return cli(environment, new byte[0], args);
    }

    /** The command as run with {@code standardInput} piped to it. */
    private static Cli cli(Map<String, String> environment, byte[] standardInput, String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = BerthCli.standard(environment).execute(new ByteArrayInputStream(standardInput), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(status, out.toString(), err.toString());
    }

    /** The engine's own answer, as {@code docker service inspect} and {@code docker secret inspect} print it. */
    private static String engineGet(String path)
            throws Exception
    {
        try (DockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(LocalSwarm.DOCKER_HOST)).build();
                DockerHttpClient.Response response = http.execute(DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
                        .path("/v1.41" + path).build())) {
            String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response.getStatusCode()).as(body).isEqualTo(200);
            return body;
        }
    }

    /** Every regular file under {@code root}, read as bytes, so a value in a binary file (a SQLite page, its WAL) is found too. */
    private static String filesUnder(Path root)
            throws Exception
    {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    private static String random(int bytes)
    {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
