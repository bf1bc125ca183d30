package dev.berth.rundir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.swarm.Swarm;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.top.FleetLook;
import dev.berth.top.LogExcerpt;
import dev.berth.top.LogStream;
import dev.berth.top.TopData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile job on the local swarm tries to make berth, root on the manager, write, print or take as
 * its own a file outside its run dir: it plants a link at every name berth writes or reads there, and
 * in its own attempt's dir puts links in place of its output, its start marker and its checkout; it
 * tries to move its checkpoint dir away, and puts links in it. No file outside the run dir changes,
 * none is printed (by {@code berth logs}, the dashboard's logs endpoint or {@code berth top}'s log
 * view), none is counted in the checkpoint's size, the start time recorded is not the linked file's,
 * and a purge removes the links, never what they point at.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunDirLinksSwarmIntegrationTest
{
    /** Every name berth writes or reads in a run dir, with the temp names it once used; the attempt's own dir is {@link #ATTEMPT_NAMES}. */
    private static final List<String> BERTH_NAMES = List.of("job.json", "result.json", "exit_code", ".result.json.tmp", ".exit_code.tmp",
            ".job.json.tmp", "stdout.txt", "stderr.txt", "work", "attempts", ".stdout.txt.link");
    /**
     * Every name berth writes or reads in the attempt's dir, which the job may write: its output, the start marker the
     * wrapper touches (whose time berth records as the start of an attempt it never saw running) and its overlay's
     * scratch dir. Its work dir is the overlay's mount point, which the job cannot replace (asserted below).
     */
    private static final List<String> ATTEMPT_NAMES = List.of("stdout.txt", "stderr.txt", ".started", ".overlay");
    /** The victim's time, which berth would record as the attempt's start if it followed the marker's link. */
    private static final Instant VICTIM_TIME = Instant.ofEpochMilli(1_000_000_000_000L);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private BerthHarness berth;
    private GitRepos repo;
    private Path victim;
    private Path victimDir;

    @BeforeAll
    void start()
            throws Exception
    {
        // A file of the manager's that the job names by its path on the manager
        victim = Files.writeString(temp.resolve("manager-secret.txt"), "the manager's own file\n");
        Files.setLastModifiedTime(victim, FileTime.from(VICTIM_TIME));
        // A directory of the manager's, for the name of the job's work dir
        victimDir = Files.createDirectories(temp.resolve("manager-dir"));
        Files.writeString(victimDir.resolve("kept.txt"), "the manager's own dir\n");
        StringBuilder plant = new StringBuilder("#!/bin/sh\n");
        for (String name : BERTH_NAMES) {
            plant.append("if ln -sfn '").append(victim).append("' \"$BERTH_RUN_DIR/").append(name).append("\" 2>/dev/null; then ")
                    .append("echo '").append(name).append("' >> \"$BERTH_ATTEMPT_DIR/planted.txt\"; fi\n");
        }
        // The checkpoint dir is the job's to fill, never to replace: it stays the dir berth made, and berth follows none of its links
        plant.append("mv \"$BERTH_CHECKPOINT_DIR\" \"$BERTH_ATTEMPT_DIR/moved\" 2>/dev/null && echo moved >> \"$BERTH_ATTEMPT_DIR/planted.txt\"\n");
        plant.append("rmdir \"$BERTH_CHECKPOINT_DIR\" 2>/dev/null && echo removed >> \"$BERTH_ATTEMPT_DIR/planted.txt\"\n");
        plant.append("echo 12 > \"$BERTH_CHECKPOINT_DIR/count\"\n");
        plant.append("ln -s '").append(victim).append("' \"$BERTH_CHECKPOINT_DIR/secret\"\n");
        plant.append("ln -s / \"$BERTH_CHECKPOINT_DIR/root\"\n");
        plant.append("echo 'about to hide my output'\n");
        // In its own dir each link must take, or the job fails: a test that planted none would prove nothing
        for (String name : ATTEMPT_NAMES) {
            plant.append("rm -rf \"$BERTH_ATTEMPT_DIR/").append(name).append("\" && ln -s '").append(victim)
                    .append("' \"$BERTH_ATTEMPT_DIR/").append(name).append("\" || exit 9\n");
        }
        // Its work dir, a mount point, it can only empty: a link with its name would land inside it
        plant.append("cd / && rm -rf \"$BERTH_ATTEMPT_DIR/work\" 2>/dev/null; ln -sfn '").append(victimDir).append("' \"$BERTH_ATTEMPT_DIR/work\"\n");
        repo = GitRepos.create(temp.resolve("served").resolve("hostile"));
        repo.commit(Map.of("plant.sh", plant.toString()));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of());
    }

    @AfterAll
    void stop()
            throws IOException
    {
        berth.close();
        repo.close();
    }

    @Test
    void linksAJobPlantsNeverLeadBerthOutOfTheRunDir()
            throws Exception
    {
        String jobId = berth.cli("submit", "--repo", repo.fileUrl(), "--entrypoint", "plant.sh", "--cpus", "0.1", "--memory", "32m").out().strip();
        Job job = berth.awaitEnd(jobId);

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        Path runDir = job.runDir().orElseThrow();
        Path attemptDir = RunDirs.attemptDir(runDir, 1);
        assertThat(attemptDir.resolve("planted.txt")).as("the run dir is read-only in the container: no link could be planted there").doesNotExist();
        assertThat(Files.readString(victim)).isEqualTo("the manager's own file\n");
        assertThat(Files.getLastModifiedTime(victim).toInstant()).isEqualTo(VICTIM_TIME);
        for (String name : ATTEMPT_NAMES) {
            assertThat(Files.isSymbolicLink(attemptDir.resolve(name))).as("the job replaced its attempt's " + name + " with a link").isTrue();
        }
        assertThat(Files.isDirectory(attemptDir.resolve("work"), LinkOption.NOFOLLOW_LINKS)).as("the work dir is still the one berth made").isTrue();
        for (String name : List.of("job.json", "result.json", "exit_code")) {
            assertThat(Files.isRegularFile(runDir.resolve(name), LinkOption.NOFOLLOW_LINKS)).as(name + " is berth's own file").isTrue();
        }
        assertThat(Files.readString(runDir.resolve("exit_code")).strip()).isEqualTo("0");
        // The start time is the task's, or the marker's own when berth never saw the job running (as SchedulerTest
        // ensures), and never the time of the file the marker's link points at
        JsonNode status = JSON.readTree(berth.cli("status", jobId, "--json").out());
        Instant startedAt = Instant.parse(status.path("started_at").asText());
        assertThat(startedAt).isNotEqualTo(VICTIM_TIME)
                .isAfterOrEqualTo(Instant.parse(status.path("received_at").asText()))
                .isBeforeOrEqualTo(Instant.parse(status.path("finished_at").asText()));
        assertThat(status.path("attempts").get(0).path("started_at").asText()).isEqualTo(startedAt.toString());

        // What the job put in its checkpoint: its one plain file, counted as 3 bytes; its links neither read nor entered
        Path checkpoint = runDir.resolve("checkpoint");
        assertThat(Files.isDirectory(checkpoint, LinkOption.NOFOLLOW_LINKS)).as("still the dir berth made").isTrue();
        assertThat(Files.isSymbolicLink(checkpoint.resolve("secret"))).isTrue();
        BerthHarness.CliResult shown = berth.cli("status", "--json", jobId);
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        JsonNode usage = JSON.readTree(shown.out()).path("checkpoint");
        assertThat(usage.path("bytes").asLong()).isEqualTo(3);
        assertThat(usage.path("files").asLong()).isEqualTo(1);
        assertThat(usage.path("complete").asBoolean()).isTrue();
        assertThat(berth.cli("status", jobId).out()).contains("3 B in 1 file").doesNotContain("the manager's own file");

        // The job replaced its own output with links: berth names them and prints none of the file they point at
        for (String[] command : List.of(new String[] {"logs", jobId}, new String[] {"logs", "--stderr", jobId}, new String[] {"logs", "--follow", jobId})) {
            BerthHarness.CliResult logs = berth.cli(command);

            assertThat(logs.exitCode()).as(String.join(" ", command)).isEqualTo(1);
            assertThat(logs.out()).doesNotContain("the manager's own file");
            assertThat(logs.err()).contains("is a symbolic link (to " + victim + ") that the job put in place of its output; berth does not follow links in a run dir");
        }

        // The dashboard's logs endpoint reads through the same safe reader
        HttpClient http = HttpClient.newHttpClient();
        for (String query : List.of("stream=stdout", "stream=stderr", "stream=stdout&attempt=1", "stream=stdout&follow=true")) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(berth.webUri().resolve("/api/v1/jobs/" + jobId + "/logs?" + query))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.body()).as(query).doesNotContain("the manager's own file")
                    .contains("is a symbolic link (to " + victim + ") that the job put in place of its output; berth does not follow links in a run dir");
            if (query.contains("follow")) {
                assertThat(answer.body()).contains("event: failure").doesNotContain("event: log");
            }
            else {
                assertThat(answer.statusCode()).as(query).isEqualTo(403);
            }
        }

        // berth top's log view (Enter on the job) reads through it too
        TopData top = new TopData(berth.store(), () -> FleetLook.unavailable("not looked at"), Clock.systemUTC());
        for (LogStream stream : LogStream.values()) {
            assertThat(top.log(jobId, stream, 100).lines()).as(stream.label()).extracting(LogExcerpt.Line::text)
                    .allSatisfy(text -> assertThat(text).doesNotContain("the manager's own file"))
                    .anySatisfy(text -> assertThat(text).contains("is a symbolic link (to " + victim + ") that the job put in place of its output"));
        }

        // Purging the job removes its run dir, the job's links with it, and not what they point at
        berth.awaitServiceRemoved(Swarm.serviceName(jobId, 1));
        BerthHarness.CliResult purge = berth.cli("purge", "--finished-before", "1ms", "--run-dirs");
        assertThat(purge.exitCode()).as(purge.err()).isZero();
        assertThat(runDir).doesNotExist();
        assertThat(Files.readString(victim)).isEqualTo("the manager's own file\n");
        assertThat(Files.getLastModifiedTime(victim).toInstant()).isEqualTo(VICTIM_TIME);
        assertThat(victimDir.resolve("kept.txt")).hasContent("the manager's own dir");
    }
}
