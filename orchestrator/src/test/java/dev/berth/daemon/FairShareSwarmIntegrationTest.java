package dev.berth.daemon;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fair share on a real engine: one user's backlog of 200 jobs, queued first, does not hold up another
 * user's single job, and a user's own urgent job goes ahead of their plain ones. Each job takes a whole
 * CPU of the local node's two, so two run at a time and the rest wait in berth's queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FairShareSwarmIntegrationTest
{
    private static final int BACKLOG = 200;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    static Path temp;

    private GitRepos repo;
    private BerthHarness berth;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("step.sh", "#!/bin/sh\nsleep 1\n"));
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
    void aHeavyUsersBacklogDoesNotHoldUpAnotherUsersJob()
    {
        for (int i = 1; i < BACKLOG; i++) {
            berth.send(request("ada-" + i, "ada", 0));
        }
        berth.send(request("ada-urgent", "ada", 5));
        // Ada has used the fleet: her first jobs have run
        berth.awaitState("ada-2", EnumSet.of(JobState.SUCCEEDED), WAIT);

        berth.send(request("bob-1", "bob", 0));
        Job bobs = berth.awaitState("bob-1", EnumSet.of(JobState.SUCCEEDED), WAIT);
        Instant bobReceived = bobs.receivedAt();
        Instant bobStarted = bobs.startedAt().orElseThrow();

        List<Job> adas = adasJobs();
        // Only the two that held the node's CPUs when bob's job came may start before it; first in, first out would run all of ada's first
        assertThat(adas).filteredOn(job -> startedBetween(job, bobReceived, bobStarted)).hasSizeLessThanOrEqualTo(2);
        assertThat(adas).filteredOn(job -> job.state() == JobState.QUEUED).hasSizeGreaterThan(BACKLOG - 30);

        // Ada's own urgent job, sent last, goes before her plain ones that were still waiting
        Job urgent = berth.awaitState("ada-urgent", EnumSet.of(JobState.RUNNING, JobState.SUCCEEDED), WAIT);
        Instant urgentStarted = urgent.startedAt().orElseThrow();
        assertThat(adasJobs()).filteredOn(job -> job.startedAt().isEmpty() || job.startedAt().get().isAfter(urgentStarted))
                .hasSizeGreaterThan(BACKLOG - 30);
        assertThat(berth.cli("status", "ada-urgent").out()).contains("priority:").contains("5").contains("ada");
    }

    private List<Job> adasJobs()
    {
        List<Job> jobs = new ArrayList<>();
        for (int i = 1; i < BACKLOG; i++) {
            berth.store().reads().job("ada-" + i).ifPresent(jobs::add);
        }
        return jobs;
    }

    private static boolean startedBetween(Job job, Instant after, Instant before)
    {
        Optional<Instant> started = job.startedAt();
        return started.isPresent() && started.get().isAfter(after) && started.get().isBefore(before);
    }

    private String request(String id, String user, int priority)
    {
        return "{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"step.sh\","
                + " \"user\": \"" + user + "\", \"priority\": " + priority + ", \"resources\": {\"cpus\": 1, \"memory\": \"32m\"}}";
    }
}
