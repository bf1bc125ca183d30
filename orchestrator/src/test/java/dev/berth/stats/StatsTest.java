package dev.berth.stats;

import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.stats.StatsReport.DepthSample;
import dev.berth.stats.StatsReport.GroupStats;
import dev.berth.stats.StatsReport.PoolHours;
import dev.berth.store.JobGrouping;
import dev.berth.store.JobStore;
import dev.berth.testing.StoredJobs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The aggregates over a real store holding jobs with known times: one day of a small fleet, each figure
 * worked out by hand from the jobs' times below.
 */
class StatsTest
{
    /** The window of the last 24 h ends at noon, so it starts at noon the day before, on an hour. */
    private static final Instant NOW = Instant.parse("2026-03-04T12:00:00Z");
    private static final Instant FROM = NOW.minus(ofHours(24));

    @TempDir
    Path temp;

    private JobStore store;
    private StoredJobs jobs;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        jobs = new StoredJobs(store);
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    /**
     * Before the window: one job wholly (received 09:00, ran 10:00 to 11:00). In it (times after its
     * start at 12:00): a waited from an hour before it to +1h, ran to +2h on 2 GPUs and 4 CPUs of pool gpu;
     * b waited +0:30 to +0:40, ran to +3:40 and failed, 1 GPU, 2 CPUs, pool gpu; c waited +1:30 to +1:31,
     * ran to +1:41 and timed out, 1 CPU, no pool; d was received at +2:00 and cancelled at +2:20 while
     * queued; e was rejected at +5:00; h waited +10:00 to +10:05 and runs still; f was received at +20:00
     * and is queued, g at +23:00 and is being prepared.
     */
    private void storeOneDay()
    {
        jobs.job("before").received(at(-3, 0)).started(at(-2, 0)).succeeded(at(-1, 0));
        jobs.job("a").pool("gpu").gpus(2).cpus(4).received(at(-1, 0)).started(at(1, 0)).succeeded(at(2, 0));
        jobs.job("b").pool("gpu").gpus(1).cpus(2).received(at(0, 30)).started(at(0, 40)).failed(at(3, 40));
        jobs.job("c").received(at(1, 30)).started(at(1, 31)).timedOut(at(1, 41));
        jobs.job("d").received(at(2, 0)).cancelled(at(2, 20));
        jobs.rejected("e", at(5, 0));
        jobs.job("h").received(at(10, 0)).started(at(10, 5)).running();
        jobs.job("f").received(at(20, 0)).queued();
        jobs.job("g").received(at(23, 0)).preparing();
    }

    @Test
    void jobsFinishedAreCountedByOutcomeAndPerHour()
    {
        storeOneDay();

        StatsReport report = lastDay(Optional.empty());

        assertThat(report.window().from()).isEqualTo(FROM);
        assertThat(report.window().to()).isEqualTo(NOW);
        assertThat(report.ended()).containsExactlyInAnyOrderEntriesOf(Map.of(
                JobState.SUCCEEDED, 1L, JobState.FAILED, 1L, JobState.TIMED_OUT, 1L, JobState.CANCELLED, 1L, JobState.REJECTED, 1L));
        assertThat(report.endedTotal()).isEqualTo(5);
        // 24 hours, the first from noon: c ended in the second, a and d in the third, b in the fourth, e in the sixth
        assertThat(report.endedPerInterval()).hasSize(24);
        assertThat(report.endedPerInterval().get(0).start()).isEqualTo(FROM);
        assertThat(report.endedPerInterval().get(23).start()).isEqualTo(at(23, 0));
        assertThat(hourCounts(report, JobState.SUCCEEDED)).containsEntry(2, 1L).hasSize(1);
        assertThat(hourCounts(report, JobState.CANCELLED)).containsEntry(2, 1L).hasSize(1);
        assertThat(hourCounts(report, JobState.TIMED_OUT)).containsEntry(1, 1L).hasSize(1);
        assertThat(hourCounts(report, JobState.FAILED)).containsEntry(3, 1L).hasSize(1);
        assertThat(hourCounts(report, JobState.REJECTED)).containsEntry(5, 1L).hasSize(1);
    }

    @Test
    void failuresAreCountedByCause()
    {
        storeOneDay();

        assertThat(lastDay(Optional.empty()).failures()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Cause.EXIT, 1L, Cause.TIMEOUT, 1L, Cause.CANCELLED, 1L, Cause.REQUEST, 1L, Cause.INFRA, 0L));
    }

    @Test
    void waitAndRunTimesHaveTheirMedianP95AndLongest()
    {
        storeOneDay();

        StatsReport report = lastDay(Optional.empty());

        // Started in the window: c waited 1m, h 5m, b 10m, a 2h. Nearest rank of 4: the median is the 2nd, the p95 the 4th
        assertThat(report.waits().count()).isEqualTo(4);
        assertThat(report.waits().median()).contains(ofMinutes(5));
        assertThat(report.waits().p95()).contains(ofHours(2));
        assertThat(report.waits().max()).contains(ofHours(2));
        // Ended in the window after a start: c ran 10m, a 1h, b 3h (h runs still; "before" ended before the window)
        assertThat(report.runs().count()).isEqualTo(3);
        assertThat(report.runs().median()).contains(ofHours(1));
        assertThat(report.runs().p95()).contains(ofHours(3));
        assertThat(report.runs().max()).contains(ofHours(3));
        // Runs of 10m, 1h and 3h fall in the bins from 10m, from 1h and from 2h; the bins between are kept, empty
        assertThat(report.runs().histogram()).extracting(Distribution.Bin::from)
                .containsExactly(ofMinutes(10), ofMinutes(30), ofHours(1), ofHours(2));
        assertThat(report.runs().histogram()).extracting(Distribution.Bin::count).containsExactly(1L, 0L, 1L, 1L);
        assertThat(report.runs().histogram().get(3).upTo()).contains(ofHours(6));
    }

    @Test
    void gpuAndCpuHoursArePerPool()
    {
        storeOneDay();

        List<PoolHours> pools = lastDay(Optional.empty()).pools();

        // No pool first: c's 1 CPU for 10 minutes. Pool gpu: a's 2 GPUs and 4 CPUs for 1h, b's 1 GPU and 2 CPUs for 3h
        assertThat(pools).extracting(PoolHours::pool).containsExactly(Optional.empty(), Optional.of("gpu"));
        assertThat(pools.get(0).ran()).isEqualTo(1);
        assertThat(pools.get(0).gpuHours()).isZero();
        assertThat(pools.get(0).cpuHours()).isCloseTo(10 / 60.0, within(1e-9));
        assertThat(pools.get(1).ran()).isEqualTo(2);
        assertThat(pools.get(1).gpuHours()).isCloseTo(2 * 1 + 1 * 3, within(1e-9));
        assertThat(pools.get(1).cpuHours()).isCloseTo(4 * 1 + 2 * 3, within(1e-9));
    }

    @Test
    void queueDepthIsSampledAtTheStartEachHourAndNow()
    {
        storeOneDay();

        List<DepthSample> depth = lastDay(Optional.empty()).queueDepth();

        assertThat(depth).extracting(DepthSample::at).startsWith(FROM, at(1, 0)).endsWith(at(23, 0), NOW).hasSize(25);
        // At the start a waited (since an hour before); at +1h it had just started, so none did; at +2h d had just arrived;
        // at +10h h had; at +20h f arrived, at +23h g
        long[] expected = new long[25];
        expected[0] = 1;
        expected[2] = 1;
        expected[10] = 1;
        expected[20] = 1;
        expected[21] = 1;
        expected[22] = 1;
        expected[23] = 2;
        expected[24] = 2;
        assertThat(depth).extracting(DepthSample::waiting).containsExactly(boxed(expected));
    }

    @Test
    void aShortWindowIsCutInFiveMinutes()
    {
        storeOneDay();

        // The hour to 10:40 after the start of the day above, in which h arrived (10:00) and started (10:05)
        StatsReport report = new Stats(store.stats()).report(new StatsQuery(ofHours(1), Optional.empty()), at(10, 40));

        assertThat(report.window().interval()).isEqualTo(ofMinutes(5));
        assertThat(report.endedPerInterval()).hasSize(12);
        assertThat(report.endedTotal()).isZero();
        assertThat(report.waits().count()).as("h started in it").isEqualTo(1);
        assertThat(report.waits().median()).contains(ofMinutes(5));
        // Sampled at 9:40, every 5 minutes, and 10:40: h waited from 10:00 to 10:05
        assertThat(report.queueDepth()).filteredOn(sample -> sample.waiting() == 1).extracting(DepthSample::at).containsExactly(at(10, 0));
    }

    @Test
    void groupsByRepositoryHaveTheirOwnFigures()
    {
        jobs.job("x1").repo("https://git.example/x").received(at(1, 0)).started(at(1, 10)).succeeded(at(2, 10));
        jobs.job("x2").repo("https://git.example/x").received(at(1, 0)).started(at(1, 30)).failed(at(1, 40));
        jobs.job("x3").repo("https://git.example/x").received(at(1, 0)).started(at(1, 50)).succeeded(at(5, 50));
        jobs.job("y1").repo("https://git.example/y").gpus(1).received(at(3, 0)).started(at(3, 1)).succeeded(at(4, 1));
        jobs.rejected("z", at(6, 0));

        StatsReport report = lastDay(Optional.of(JobGrouping.REPO));

        assertThat(report.groups()).extracting(GroupStats::group)
                .containsExactly(Optional.of("https://git.example/x"), Optional.of("https://git.example/y"), Optional.empty());
        GroupStats x = report.groups().get(0);
        assertThat(x.ended()).containsEntry(JobState.SUCCEEDED, 2L).containsEntry(JobState.FAILED, 1L);
        // Waits of 10m, 30m, 50m; runs of 1h, 10m, 4h
        assertThat(x.waits().median()).contains(ofMinutes(30));
        assertThat(x.runs().median()).contains(ofHours(1));
        assertThat(x.runs().p95()).contains(ofHours(4));
        assertThat(x.cpuHours()).isCloseTo(1 + 10 / 60.0 + 4, within(1e-9));
        assertThat(x.gpuHours()).isZero();
        GroupStats y = report.groups().get(1);
        assertThat(y.endedTotal()).isEqualTo(1);
        assertThat(y.waits().max()).contains(ofMinutes(1));
        assertThat(y.gpuHours()).isCloseTo(1, within(1e-9));
        assertThat(report.groups().get(2).ended()).containsEntry(JobState.REJECTED, 1L);
        // The whole fleet's figures are the same as without grouping
        assertThat(report.runs()).isEqualTo(lastDay(Optional.empty()).runs());
    }

    @Test
    void groupsByUserHaveTheirOwnFigures()
    {
        jobs.job("ana-1").user("ana").received(at(1, 0)).started(at(1, 4)).succeeded(at(2, 4));
        jobs.job("ana-2").user("ana").received(at(1, 0)).started(at(1, 2)).failed(at(1, 32));
        jobs.job("bo-1").user("bo").gpus(2).received(at(2, 0)).started(at(2, 30)).succeeded(at(4, 30));
        jobs.job("anyone").received(at(3, 0)).queued();

        StatsReport report = lastDay(Optional.of(JobGrouping.USER));

        assertThat(report.groups()).extracting(GroupStats::group).containsExactly(Optional.of("ana"), Optional.of("bo"));
        GroupStats ana = report.groups().get(0);
        assertThat(ana.ended()).containsEntry(JobState.SUCCEEDED, 1L).containsEntry(JobState.FAILED, 1L);
        // Waits of 2m and 4m, runs of 30m and 1h: nearest rank of 2, the median is the first
        assertThat(ana.waits().median()).contains(ofMinutes(2));
        assertThat(ana.runs().p95()).contains(ofHours(1));
        assertThat(report.groups().get(1).gpuHours()).isCloseTo(2 * 2, within(1e-9));
    }

    @Test
    void groupsByPoolNameJobsWithoutOneAsNone()
    {
        storeOneDay();

        StatsReport report = lastDay(Optional.of(JobGrouping.POOL));

        // No pool: c, d, e ended, h and c started; gpu: a and b
        assertThat(report.groups()).extracting(GroupStats::group).containsExactly(Optional.empty(), Optional.of("gpu"));
        assertThat(report.groups().get(0).endedTotal()).isEqualTo(3);
        assertThat(report.groups().get(0).waits().count()).isEqualTo(2);
        assertThat(report.groups().get(1).gpuHours()).isCloseTo(5, within(1e-9));
    }

    @Test
    void anEmptyStoreHasZerosAndNoTimes()
    {
        StatsReport report = lastDay(Optional.empty());

        assertThat(report.endedTotal()).isZero();
        assertThat(report.waits().median()).isEmpty();
        assertThat(report.runs().histogram()).isEmpty();
        assertThat(report.pools()).isEmpty();
        assertThat(report.queueDepth()).allMatch(sample -> sample.waiting() == 0);
    }

    private StatsReport lastDay(Optional<JobGrouping> by)
    {
        return new Stats(store.stats()).report(new StatsQuery(ofHours(24), by), NOW);
    }

    /** The interval index and count of each hour in which jobs ended in {@code state}. */
    private static Map<Integer, Long> hourCounts(StatsReport report, JobState state)
    {
        Map<Integer, Long> counts = new TreeMap<>();
        for (int i = 0; i < report.endedPerInterval().size(); i++) {
            long count = report.endedPerInterval().get(i).ended().get(state);
            if (count > 0) {
                counts.put(i, count);
            }
        }
        return counts;
    }

    /** {@code hours}:{@code minutes} after the window's start (negative hours: before it). */
    private static Instant at(int hours, int minutes)
    {
        return FROM.plus(ofHours(hours)).plus(ofMinutes(minutes));
    }

    private static Long[] boxed(long[] values)
    {
        return Arrays.stream(values).boxed().toArray(Long[]::new);
    }
}
