package dev.berth.store;

import dev.berth.job.JobState;
import dev.berth.store.StatsReads.Ended;
import dev.berth.testing.StoredJobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-hour counts of ended jobs: kept by the store's triggers, and made from the past for a store that had none. */
class EndedHoursTest
{
    private static final Instant NOW = Instant.parse("2026-03-04T12:00:00Z");
    private static final Instant FROM = NOW.minus(Duration.ofHours(24));

    @TempDir
    Path temp;

    @Test
    void everyWayAJobEndsIsCountedInItsHour()
    {
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            storeEnds(store);

            // A window of whole hours: read from the counts alone
            Map<List<Object>, Long> counted = byHourAndState(store.stats().ended(FROM, NOW, FROM, Duration.ofHours(1)));
            assertThat(counted).containsExactlyInAnyOrderEntriesOf(Map.of(
                    List.of(1L, JobState.SUCCEEDED), 2L,
                    List.of(2L, JobState.FAILED), 2L,
                    List.of(3L, JobState.CANCELLED), 1L,
                    List.of(5L, JobState.REJECTED), 1L));
        }
    }

    @Test
    void aStoreMadeBeforeTheCountsGetsItsPastCounted()
            throws Exception
    {
        Path file = temp.resolve("berth.db");
        try (JobStore store = JobStore.open(file)) {
            storeEnds(store);
        }
        // As an earlier berth left it: the jobs, no counts, no triggers
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("DROP TRIGGER jobs_end_counted");
            statement.execute("DROP TRIGGER jobs_stored_ended_counted");
            statement.execute("DROP TRIGGER jobs_purged_uncounted");
            statement.execute("DROP TABLE ended_hours");
        }

        try (JobStore store = JobStore.open(file)) {
            Map<List<Object>, Long> counted = byHourAndState(store.stats().ended(FROM, NOW, FROM, Duration.ofHours(1)));
            assertThat(counted).containsEntry(List.of(1L, JobState.SUCCEEDED), 2L).containsEntry(List.of(5L, JobState.REJECTED), 1L).hasSize(4);
            // And ends from now on are counted too, once
            new StoredJobs(store).job("late").received(at(6, 0)).started(at(6, 1)).succeeded(at(6, 30));
            assertThat(byHourAndState(store.stats().ended(FROM, NOW, FROM, Duration.ofHours(1)))).containsEntry(List.of(6L, JobState.SUCCEEDED), 1L);
        }
        try (JobStore store = JobStore.open(file)) {
            assertThat(byHourAndState(store.stats().ended(FROM, NOW, FROM, Duration.ofHours(1))))
                    .as("opened again: the past is not counted twice").containsEntry(List.of(1L, JobState.SUCCEEDED), 2L);
        }
    }

    @Test
    void aPurgedJobLeavesItsHour()
    {
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            storeEnds(store);

            // The three that ended first: s1 (1:30), s2 (1:59), f1 (2:10)
            assertThat(store.writes().purgeEndedBefore(at(2, 15), 100)).hasSize(3);

            Map<List<Object>, Long> counted = byHourAndState(store.stats().ended(FROM, NOW, FROM, Duration.ofHours(1)));
            assertThat(counted).containsExactlyInAnyOrderEntriesOf(Map.of(
                    List.of(2L, JobState.FAILED), 1L,
                    List.of(3L, JobState.CANCELLED), 1L,
                    List.of(5L, JobState.REJECTED), 1L));
            // The hour all of whose jobs went has no row left, GPU-hours and all
            assertThat(store.stats().ended(FROM, NOW, FROM, Duration.ofHours(1))).noneMatch(row -> row.interval() == 1);
        }
    }

    /** Two succeeded in the 2nd hour, two failed in the 3rd (one while being prepared), one cancelled in the 4th while queued, one rejected in the 6th. */
    private static void storeEnds(JobStore store)
    {
        StoredJobs jobs = new StoredJobs(store);
        jobs.job("s1").received(at(1, 0)).started(at(1, 5)).succeeded(at(1, 30));
        jobs.job("s2").pool("gpu").gpus(1).received(at(0, 50)).started(at(1, 0)).succeeded(at(1, 59));
        jobs.job("f1").received(at(2, 0)).started(at(2, 1)).failed(at(2, 10));
        jobs.job("f2").received(at(2, 0)).failedBeforeStart(at(2, 20));
        jobs.job("c1").received(at(3, 0)).cancelled(at(3, 30));
        jobs.rejected("r1", at(5, 15));
        jobs.job("q1").received(at(4, 0)).queued();
    }

    private static Map<List<Object>, Long> byHourAndState(List<Ended> ended)
    {
        return ended.stream().collect(Collectors.groupingBy(row -> List.of(row.interval(), row.state()), Collectors.summingLong(Ended::jobs)));
    }

    private static Instant at(int hours, int minutes)
    {
        return FROM.plus(Duration.ofHours(hours)).plus(Duration.ofMinutes(minutes));
    }
}
