package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code berth rerun} on a real engine: the same code and image as the job it reruns, whatever the branch did since. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RerunSwarmIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private GitRepos repo;
    private BerthHarness berth;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of());
    }

    @AfterAll
    void stop()
            throws Exception
    {
        berth.close();
        repo.close();
    }

    @Test
    void aRerunRunsTheSameCommitWithItsChangesAndSaysWhatItReruns()
            throws Exception
    {
        String first = repo.commit(Map.of("version.sh", "#!/bin/sh\necho \"version one, SEED=$SEED\"\nexit 3\n"));
        BerthHarness.CliResult submit = berth.cli("submit", "--repo", repo.fileUrl(), "--entrypoint", "version.sh", "--env", "SEED=7",
                "--cpus", "0.1", "--memory", "32m", "--wait");
        String original = submit.out().strip().lines().findFirst().orElseThrow();
        assertThat(submit.exitCode()).as(submit.err()).isEqualTo(3);
        // The branch moves on; the rerun must not
        repo.commit(Map.of("version.sh", "#!/bin/sh\necho version two\n"));

        BerthHarness.CliResult rerun = berth.cli("rerun", original, "--cpus", "0.2", "--json");

        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        JsonNode printed = JSON.readTree(rerun.out());
        String again = printed.path("job_id").asText();
        assertThat(again).isNotEqualTo(original);
        assertThat(printed.path("rerun_of").asText()).isEqualTo(original);
        Job rerunJob = berth.awaitEnd(again);
        Job originalJob = berth.store().reads().job(original).orElseThrow();
        assertThat(rerunJob.state()).isEqualTo(JobState.FAILED);
        assertThat(rerunJob.commit()).contains(first);
        assertThat(rerunJob.imageRef()).isEqualTo(originalJob.imageRef());
        assertThat(rerunJob.spec().resources().cpus()).isEqualTo(0.2);
        assertThat(rerunJob.spec().env()).containsEntry("SEED", "7");
        assertThat(rerunJob.runDir().orElseThrow().resolve("stdout.txt")).hasContent("version one, SEED=7");
        assertThat(berth.cli("status", again).out()).contains("rerun of:").contains(original);
    }

    @Test
    void aJobStillRunningIsNotRerunAndTheErrorSaysWhen()
            throws Exception
    {
        repo.commit(Map.of("wait.sh", "#!/bin/sh\nsleep 300\n"));
        String running = berth.cli("submit", "--repo", repo.fileUrl(), "--entrypoint", "wait.sh", "--cpus", "0.1", "--memory", "32m").out().strip();
        // submit returns once the request is on the queue; the job exists once the daemon has taken it off
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> berth.store().reads().job(running).isPresent());

        BerthHarness.CliResult rerun = berth.cli("rerun", running);

        assertThat(rerun.exitCode()).isEqualTo(1);
        assertThat(rerun.err()).contains("job " + running + " is still ").contains("rerun it once it has ended (or cancel it first)");
        berth.cli("cancel", running, "--no-wait");
    }
}
