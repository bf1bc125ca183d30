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
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Arrays on a real engine through the real queue and {@code berth submit --array}: each task runs with its index in
 * its own run dir under the array's, no more at once than the array's limit, a job after the array waits for all of
 * them, {@code --wait} exits 0 only when every task succeeded, and a cancel of the array stops every task.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArraysSwarmIntegrationTest
{
    @TempDir
    static Path temp;

    private GitRepos repo;
    private BerthHarness berth;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of(
                // Long enough that tasks would overlap if the limit let more start
                "task.sh", """
                        #!/bin/sh
                        echo "task $BERTH_ARRAY_INDEX of $BERTH_ARRAY_SIZE in $BERTH_ARRAY_ID"
                        sleep 1
                        [ "$BERTH_ARRAY_INDEX" != "${FAIL_INDEX:-none}" ]
                        """,
                "forever.sh", """
                        #!/bin/sh
                        while :; do sleep 0.2; done
                        """,
                "after.sh", """
                        #!/bin/sh
                        echo after
                        """));
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
    void eachTaskRunsWithItsIndexInItsOwnRunDirNoMoreAtOnceThanTheLimitAndAJobAfterTheArrayWaitsForAll()
            throws Exception
    {
        assertThat(submit("--job-id", "sweep", "--entrypoint", "task.sh", "--array", "0-8:2%2").out()).isEqualTo("sweep\n");
        submit("--job-id", "after-sweep", "--entrypoint", "after.sh", "--after", "sweep");

        Job after = berth.awaitEnd("after-sweep");
        List<Job> tasks = berth.store().arrays().tasks("sweep", Set.of());
        assertThat(tasks).extracting(Job::id).containsExactly("sweep_0", "sweep_2", "sweep_4", "sweep_6", "sweep_8");
        Path arrayDir = tasks.get(0).runDir().orElseThrow().getParent();
        assertThat(arrayDir.getFileName().toString()).endsWith("_task_sweep");
        for (Job task : tasks) {
            int index = task.task().orElseThrow().index();
            assertThat(task.state()).as(task.id()).isEqualTo(JobState.SUCCEEDED);
            assertThat(task.runDir().orElseThrow()).isEqualTo(arrayDir.resolve(String.valueOf(index)));
            assertThat(task.runDir().orElseThrow().resolve("stdout.txt")).hasContent("task " + index + " of 5 in sweep");
        }
        assertThat(mostAtOnce(tasks)).as("the limit of 2 held the others back").isLessThanOrEqualTo(2);

        assertThat(after.state()).isEqualTo(JobState.SUCCEEDED);
        Instant lastEnd = tasks.stream().map(task -> task.finishedAt().orElseThrow()).max(Instant::compareTo).orElseThrow();
        assertThat(after.startedAt().orElseThrow()).as("started after the array's last task ended").isAfterOrEqualTo(lastEnd);
        assertThat(berth.cli("status", "sweep").out()).containsPattern("state: +SUCCEEDED").containsPattern("tasks: +5: 5 SUCCEEDED");
    }

    @Test
    void waitingForAnArrayExitsZeroOnlyWhenEveryTaskSucceededAndAJobAfterAFailedArrayIsCancelled()
            throws Exception
    {
        BerthHarness.CliResult good = berth.cli(arguments("--job-id", "good", "--entrypoint", "task.sh", "--array", "0-1", "--wait"));
        assertThat(good.exitCode()).as(good.err()).isZero();
        assertThat(good.err()).contains("array good: 2 SUCCEEDED");

        BerthHarness.CliResult mixed = berth.cli(arguments("--job-id", "mixed", "--entrypoint", "task.sh", "--array", "0-2",
                "--env", "FAIL_INDEX=1", "--max-attempts", "1", "--wait"));
        assertThat(mixed.exitCode()).as(mixed.err()).isEqualTo(1);
        assertThat(mixed.err()).contains("2 SUCCEEDED, 1 FAILED");
        assertThat(berth.store().reads().job("mixed_1").orElseThrow().exitCode()).contains(1);

        submit("--job-id", "after-mixed", "--entrypoint", "after.sh", "--after", "mixed");
        Job after = berth.awaitEnd("after-mixed");
        assertThat(after.state()).isEqualTo(JobState.CANCELLED);
        assertThat(after.reason()).contains("dependency mixed failed: it ended FAILED");
        assertThat(after.attempts()).as("never ran").isZero();
    }

    @Test
    void cancellingAnArrayStopsItsRunningTasksAndDropsTheHeldOnes()
    {
        submit("--job-id", "held", "--entrypoint", "forever.sh", "--array", "0-3%2", "--stop-grace", "1s");
        berth.awaitState("held_0", EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        berth.awaitState("held_1", EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        assertThat(berth.store().reads().job("held_2").orElseThrow().state()).as("held back by the limit").isEqualTo(JobState.WAITING);

        BerthHarness.CliResult cancel = berth.cli("cancel", "held");

        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        assertThat(cancel.out()).isEqualTo("array held cancelled: 4 CANCELLED\n");
        for (String task : List.of("held_0", "held_1", "held_2", "held_3")) {
            assertThat(berth.store().reads().job(task).orElseThrow().state()).as(task).isEqualTo(JobState.CANCELLED);
        }
        assertThat(berth.store().reads().job("held_3").orElseThrow().attempts()).as("never started").isZero();
        berth.awaitNoServices();
    }

    /** The most tasks that ran at one moment, by the times berth recorded them starting and ending. */
    private static int mostAtOnce(List<Job> tasks)
    {
        List<Instant[]> runs = new ArrayList<>();
        tasks.forEach(task -> runs.add(new Instant[] {task.startedAt().orElseThrow(), task.finishedAt().orElseThrow()}));
        int most = 0;
        for (Instant[] run : runs) {
            // Overlaps are greatest at some run's start
            most = Math.max(most, (int) runs.stream().filter(other -> !other[0].isAfter(run[0]) && other[1].isAfter(run[0])).count());
        }
        return most;
    }

    private BerthHarness.CliResult submit(String... flags)
    {
        BerthHarness.CliResult submitted = berth.cli(arguments(flags));
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        return submitted;
    }

    private String[] arguments(String... flags)
    {
        String[] arguments = new String[flags.length + 7];
        System.arraycopy(new String[] {"submit", "--repo", repo.fileUrl(), "--cpus", "0.1", "--memory", "32m"}, 0, arguments, 0, 7);
        System.arraycopy(flags, 0, arguments, 7, flags.length);
        return arguments;
    }
}
