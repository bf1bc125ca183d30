package dev.berth.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a run dir's outputs went, against S3Proxy (an S3-compatible server started here) through the AWS
 * SDK's S3 client: a real job runs on the engine; {@code result.json}, {@code status} and {@code list --json}
 * give the run dir's S3 location; status says the export is pending until the test puts the run dir's files
 * in the bucket as the file system's automatic export would, then that it is exported; {@code wait-export}
 * returns then, and times out with its message for a run dir never exported.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportS3IntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUCKET = "berth-exports";

    @TempDir
    static Path temp;

    private S3ProxyServer s3;
    private S3Client bucket;
    private GitRepos repo;
    private BerthHarness berth;
    private Map<String, String> settings;

    @BeforeAll
    void start()
            throws Exception
    {
        s3 = S3ProxyServer.start(Files.createDirectories(temp.resolve("s3")));
        bucket = s3.client();
        bucket.createBucket(request -> request.bucket(BUCKET));
        // berth's client takes its credentials from the SDK's default chain, as on the fleet; here its first link
        System.setProperty("aws.accessKeyId", S3ProxyServer.IDENTITY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.CREDENTIAL);
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("train.sh", "#!/bin/sh\necho \"trained $RUN\"\n",
                "wait.sh", "#!/bin/sh\nsleep 300\n"));
        settings = Map.of(
                "BERTH_EXPORT_S3", "s3://" + BUCKET + "/fleet/runs/",
                "BERTH_EXPORT_S3_ENDPOINT", s3.endpoint(),
                "BERTH_EXPORT_S3_REGION", S3ProxyServer.REGION);
        berth = BerthHarness.start(temp.resolve("berth"), settings);
    }

    @AfterAll
    void stop()
            throws Exception
    {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (berth != null) {
            berth.close();
        }
        if (repo != null) {
            repo.close();
        }
        if (bucket != null) {
            bucket.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void statusSaysWhereTheRunDirGoesAndWhenItHasArrivedAndWaitExportReturnsThen()
            throws Exception
    {
        String id = submit("train.sh", "--env", "RUN=7");
        Job job = berth.awaitState(id, EnumSet.of(JobState.SUCCEEDED), Duration.ofSeconds(60));
        Path runDir = job.runDir().orElseThrow();
        String location = "s3://" + BUCKET + "/fleet/runs/" + runDir.getFileName() + "/";

        assertThat(JSON.readTree(Files.readString(runDir.resolve("result.json"))).path("s3_location").asText()).isEqualTo(location);
        assertThat(cli("status", id).out()).contains("s3:         " + location + " (export pending)\n");
        JsonNode pending = JSON.readTree(cli("status", "--json", id).out());
        assertThat(pending.path("s3_location").asText()).isEqualTo(location);
        assertThat(pending.path("export").path("state").asText()).isEqualTo("PENDING");
        JsonNode listed = JSON.readTree(cli("list", "--json").out());
        assertThat(listed).anySatisfy(entry -> {
            assertThat(entry.path("id").asText()).isEqualTo(id);
            assertThat(entry.path("s3_location").asText()).isEqualTo(location);
        });

        // The file system's automatic export catches up: every file of the run dir under its key
        List<String> keys = exportAsTheFileSystemWould(runDir, "fleet/runs/" + runDir.getFileName() + "/");
        assertThat(keys).contains("fleet/runs/" + runDir.getFileName() + "/result.json").anySatisfy(key -> assertThat(key).endsWith("/stdout.txt"));

        assertThat(cli("status", id).out()).contains("s3:         " + location + " (exported)\n");
        assertThat(JSON.readTree(cli("status", "--json", id).out()).path("export").path("state").asText()).isEqualTo("EXPORTED");
        BerthHarness.CliResult waited = cli("wait-export", id, "--timeout", "30s");
        assertThat(waited.exitCode()).as(waited.err()).isZero();
        assertThat(waited.out()).isEqualTo(location + "\n");
        JsonNode printed = JSON.readTree(cli("wait-export", "--json", id).out());
        assertThat(printed.path("job_id").asText()).isEqualTo(id);
        assertThat(printed.path("s3_location").asText()).isEqualTo(location);
    }

    @Test
    void waitExportTimesOutWithItsMessageWhileTheExportHasNotComeAndRefusesARunningJob()
            throws Exception
    {
        String id = submit("train.sh", "--env", "RUN=8");
        berth.awaitState(id, EnumSet.of(JobState.SUCCEEDED), Duration.ofSeconds(60));

        Instant asked = Instant.now();
        BerthHarness.CliResult waited = cli("wait-export", id, "--timeout", "3s");

        assertThat(waited.exitCode()).isEqualTo(1);
        assertThat(Duration.between(asked, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(waited.err()).contains("job " + id + "'s run dir is not exported after 3s: s3://" + BUCKET + "/fleet/runs/")
                .contains("/result.json is not there yet; the file system exports it on its own");

        String running = submit("wait.sh");
        berth.awaitState(running, EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        assertThat(cli("status", running).out()).contains("(exported once the job has ended)");
        BerthHarness.CliResult early = cli("wait-export", running);
        assertThat(early.exitCode()).isEqualTo(1);
        assertThat(early.err()).contains("job " + running + " is RUNNING: its run dir is exported once it has ended");
        cli("cancel", running, "--no-wait");
    }

    @Test
    void withoutAnExportConfiguredStatusSaysNothingOfS3AndWaitExportSaysWhy()
            throws Exception
    {
        String id = submit("train.sh", "--env", "RUN=9");
        berth.awaitState(id, EnumSet.of(JobState.SUCCEEDED), Duration.ofSeconds(60));
        Map<String, String> unconfigured = Map.of();

        assertThat(berth.cli(unconfigured, "status", id).out()).doesNotContain("s3:", "export");
        assertThat(JSON.readTree(berth.cli(unconfigured, "status", "--json", id).out()).has("s3_location")).isFalse();
        BerthHarness.CliResult waited = berth.cli(unconfigured, "wait-export", id);
        assertThat(waited.exitCode()).isEqualTo(1);
        assertThat(waited.err()).contains("no export is configured: BERTH_EXPORT_S3 names the S3 location the run dirs are exported to");
    }

    private String submit(String entrypoint, String... more)
    {
        List<String> args = new ArrayList<>(List.of("submit", "--repo", repo.fileUrl(), "--entrypoint", entrypoint, "--cpus", "0.1", "--memory", "32m"));
        args.addAll(List.of(more));
        BerthHarness.CliResult submitted = cli(args.toArray(String[]::new));
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        return submitted.out().strip();
    }

    /** A command as a user on the fleet runs it: berth.env carries the export's settings. */
    private BerthHarness.CliResult cli(String... args)
    {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(settings);
        return berth.cli(environment, args);
    }

    /** Puts each regular file of the run dir (links are not followed, as the export does not) under {@code prefix}; returns the keys. */
    private List<String> exportAsTheFileSystemWould(Path runDir, String prefix)
            throws IOException
    {
        try (Stream<Path> files = Files.walk(runDir)) {
            List<Path> regular = files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            for (Path file : regular) {
                String key = prefix + runDir.relativize(file);
                bucket.putObject(request -> request.bucket(BUCKET).key(key), RequestBody.fromFile(file));
            }
            return regular.stream().map(file -> prefix + runDir.relativize(file)).toList();
        }
    }
}
