package dev.berth.daemon;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.queue.SqsJobQueue;
import dev.berth.repo.RepoUrl;
import dev.berth.store.JobStore;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.GitDaemon;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import dev.berth.testing.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * berth killed with SIGKILL in the middle of a repository's first fetch (the git daemon's answer held
 * halfway, so the kill lands in the transfer, not before or after it), then started again: the job
 * runs once, from a mirror that git finds whole.
 */
class CrashWhileMirroringSwarmIntegrationTest
{
    @TempDir
    Path temp;

    @Test
    void aKillDuringTheFirstFetchLeavesAMirrorTheNextStartCompletes()
            throws Exception
    {
        LocalSwarm.ensureReady();
        // About a megabyte that does not compress: a pack far larger than what the link lets through before it holds
        byte[] noise = new byte[768 * 1024];
        new SecureRandom().nextBytes(noise);
        String data = Base64.getMimeEncoder().encodeToString(noise) + "\n";
        try (GitRepos repo = GitRepos.create(temp.resolve("served").resolve("repo"));
                GitDaemon gitDaemon = GitDaemon.serve(temp.resolve("served"), temp.resolve("git-daemon.log"));
                TcpProxy link = new TcpProxy(gitDaemon.port());
                EmbeddedSqs sqs = EmbeddedSqs.start(0, temp.resolve("sqs"));
                SqsJobQueue queue = new SqsJobQueue(sqs.endpoint())) {
            repo.commit(Map.of("job.sh", "#!/bin/sh\necho \"ran $BERTH_JOB_ID\"\n", "data.txt", data));
            String url = "git://127.0.0.1:" + link.port() + "/repo";
            link.holdAfter(64 * 1024);
            queue.send("{\"job_id\": \"mirrored\", \"repo_uri\": \"" + url + "\", \"branch\": \"main\", \"entrypoint\": \"job.sh\"}",
                    "crash", UUID.randomUUID().toString());

            try (BerthProcess berth = new BerthProcess(BerthProcess.settings(temp, sqs.endpoint()), temp.resolve("serve.log"))) {
                berth.start();
                await().atMost(Duration.ofSeconds(60)).until(link::holding);
                berth.kill();
                link.release();
                berth.start();

                try (JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> store.reads().job("mirrored").map(job -> job.state().terminal()).orElse(false));
                    Job job = store.reads().job("mirrored").orElseThrow();
                    assertThat(job.state()).as("%s", job.reason()).isEqualTo(JobState.SUCCEEDED);
                    assertThat(store.reads().attempts("mirrored")).hasSize(1);
                    assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).hasContent("ran mirrored");
                    Path snapshot = temp.resolve("shared").resolve("snapshots").resolve(job.commit().orElseThrow()).resolve("tree");
                    assertThat(Files.readString(snapshot.resolve("data.txt"))).isEqualTo(data);
                }
                assertThat(berth.logs()).contains("Job mirrored: berth stopped while preparing it; queued again");
            }

            Path mirror = RepoUrl.parse(url).mirrorPath(temp.resolve("shared").resolve("mirrors"));
            Process fsck = new ProcessBuilder("git", "--git-dir=" + mirror, "fsck", "--full", "--no-progress")
                    .redirectErrorStream(true).start();
            String report = new String(fsck.getInputStream().readAllBytes());
            assertThat(fsck.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(fsck.exitValue()).as(report).isZero();
        }
    }
}
