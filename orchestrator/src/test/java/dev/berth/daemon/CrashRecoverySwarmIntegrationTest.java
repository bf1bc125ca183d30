package dev.berth.daemon;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.swarm.SwarmClient;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kill -9} of a real {@code berth serve} process at random moments while jobs are being
 * taken off the queue, mirrored, submitted, run and recorded; then a restart. Every job must
 * still end exactly once, with one attempt and one service, and the state file must be intact.
 * The queue runs outside the daemon, as SQS does, so messages in flight survive the crashes.
 */
class CrashRecoverySwarmIntegrationTest
{
    private static final int JOBS = 24;
    private static final int CRASHES = 6;

    @TempDir
    Path temp;

    @Test
    void everyJobEndsExactlyOnceAcrossRepeatedKills()
            throws Exception
    {
        LocalSwarm.ensureReady();
        try (GitRepos repo = GitRepos.create(temp.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0, temp.resolve("sqs"));
                SqsJobQueue queue = new SqsJobQueue(sqs.endpoint())) {
            repo.commit(Map.of("job.sh", "#!/bin/sh\necho \"ran $BERTH_JOB_ID\"\nsleep 2\n"));
            Map<String, String> environment = BerthProcess.settings(temp, sqs.endpoint());
            environment.put("BERTH_PENDING_CAP", "2");
            environment.put("BERTH_DEFAULT_CPUS", "0.05");

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                String id = "crash" + i;
                ids.add(id);
                queue.send("{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"job.sh\"}",
                        "crash-test", UUID.randomUUID().toString());
            }

            Random random = new Random(42);
            try (BerthProcess berth = new BerthProcess(environment, temp.resolve("serve.log"))) {
                for (int crash = 0; crash < CRASHES; crash++) {
                    berth.start();
                    Thread.sleep(300 + random.nextInt(2500)); // the crash moment itself is what is under test
                    berth.kill();
                }
                berth.start();
                try (JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                            .until(() -> store.reads().inStates(EnumSet.of(JobState.SUCCEEDED)).size() == JOBS);

                    for (String id : ids) {
                        Job job = store.reads().job(id).orElseThrow();
                        assertThat(job.state()).as(id).isEqualTo(JobState.SUCCEEDED);
                        assertThat(store.reads().attempts(id)).as("attempts of " + id).hasSize(1);
                        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).as(id).hasContent("ran " + id);
                        try (Stream<Path> attempts = Files.list(job.runDir().orElseThrow().resolve("attempts"))) {
                            assertThat(attempts).as(id).hasSize(1);
                        }
                        assertThat(job.runDir().orElseThrow().resolve("exit_code")).hasContent("0");
                    }
                    assertThat(store.reads().newest(List.of(), 1000)).as("no job stored twice or rejected").hasSize(JOBS);
                    try (SwarmClient swarm = new SwarmClient(LocalSwarm.DOCKER_HOST)) {
                        await().atMost(Duration.ofSeconds(30)).until(() -> swarm.services(store.instanceId()).isEmpty());
                    }
                }
                String logs = berth.logs();
                System.out.printf("crash recovery: %d jobs, %d kills; after restarts: %d resumed with attempts in flight, %d preparations redone, "
                                + "%d services adopted, %d created again after a lost create, %d leftover services removed, %d redelivered messages ignored%n",
                        JOBS, CRASHES, count(logs, "Resuming"), count(logs, "queued again"), count(logs, "adopted existing service"),
                        count(logs, "(service already existed)"), count(logs, "Removed leftover service"), count(logs, "is a redelivery"));
            }
            assertThat(integrityCheck(temp.resolve("state").resolve("berth.db"))).isEqualTo("ok");
            assertThat(queue.receive(Duration.ofSeconds(1), Duration.ofSeconds(1))).as("every message deleted").isEmpty();
        }
    }

    private static long count(String text, String phrase)
    {
        return text.lines().filter(line -> line.contains(phrase)).count();
    }

    private static String integrityCheck(Path database)
            throws Exception
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                ResultSet rows = connection.createStatement().executeQuery("PRAGMA integrity_check")) {
            rows.next();
            return rows.getString(1);
        }
    }
}
