package dev.berth.stats;

import dev.berth.job.JobState;
import dev.berth.stats.StatsReport.DepthSample;
import dev.berth.store.JobStore;
import dev.berth.testing.StoredJobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Many jobs with times drawn at random over ten days, and each figure of windows of an hour, a day and
 * a week checked against its definition, worked out job by job from the drawn times: which jobs ended,
 * waited or ran in the window, and who was waiting at each sample time.
 */
class StatsDefinitionsTest
{
    private static final Instant NOW = Instant.parse("2026-05-10T08:17:23.456Z");

    @TempDir
    Path temp;

    /** A job's drawn life; {@code started} or {@code ended} null when it has not. */
    private record Drawn(String id, String pool, int gpus, Instant received, Instant started, Instant ended, JobState state) {}

    @Test
    void everyWindowAgreesWithTheJobsTimes()
    {
        List<Drawn> drawn = draw(new Random(15), 450);
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            StoredJobs jobs = new StoredJobs(store);
            drawn.forEach(job -> store(jobs, job));
            for (Duration since : List.of(Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7))) {
                StatsReport report = new Stats(store.stats()).report(new StatsQuery(since, Optional.empty()), NOW);
                check(report, drawn, since);
            }
        }
    }

    private static void check(StatsReport report, List<Drawn> drawn, Duration since)
    {
        Instant from = NOW.minus(since);
        List<Drawn> ended = drawn.stream().filter(job -> job.ended() != null && inWindow(job.ended(), from)).toList();
        assertThat(ended).as("the draw has jobs ending in %s", since).hasSizeGreaterThan(5);
        for (JobState state : StatsReport.FINAL_STATES) {
            assertThat(report.ended().get(state)).as(state + " in " + since).isEqualTo(ended.stream().filter(job -> job.state() == state).count());
        }
        // Intervals of whole multiples of their length since the epoch, one after another from the one holding the start
        long step = report.window().interval().toMillis();
        assertThat(report.endedPerInterval().get(0).start()).isEqualTo(Instant.ofEpochMilli(from.toEpochMilli() / step * step));
        for (int i = 0; i < report.endedPerInterval().size(); i++) {
            StatsReport.IntervalEnded interval = report.endedPerInterval().get(i);
            assertThat(interval.start()).isEqualTo(report.endedPerInterval().get(0).start().plusMillis(i * step));
            for (JobState state : StatsReport.FINAL_STATES) {
                long expected = ended.stream()
                        .filter(job -> job.state() == state && !job.ended().isBefore(interval.start()) && job.ended().isBefore(interval.start().plusMillis(step)))
                        .count();
                assertThat(interval.ended().get(state)).as(state + " from " + interval.start()).isEqualTo(expected);
            }
        }
        assertThat(report.endedPerInterval().get(report.endedPerInterval().size() - 1).start().plusMillis(step)).isAfterOrEqualTo(NOW);

        List<Long> waits = drawn.stream().filter(job -> job.started() != null && inWindow(job.started(), from))
                .map(job -> Duration.between(job.received(), job.started()).toMillis()).sorted().toList();
        checkDistribution(report.waits(), waits, "waits in " + since);
        List<Long> runs = ended.stream().filter(job -> job.started() != null)
                .map(job -> Duration.between(job.started(), job.ended()).toMillis()).sorted().toList();
        checkDistribution(report.runs(), runs, "runs in " + since);

        Map<String, Double> gpuHours = ended.stream().filter(job -> job.started() != null).collect(Collectors.groupingBy(Drawn::pool,
                Collectors.summingDouble(job -> job.gpus() * Duration.between(job.started(), job.ended()).toMillis() / 3_600_000.0)));
        report.pools().forEach(pool -> assertThat(pool.gpuHours()).as("pool " + pool.pool()).isCloseTo(gpuHours.get(pool.pool().orElse("")), within(1e-6)));
        assertThat(report.pools()).hasSize(gpuHours.size());

        for (DepthSample sample : report.queueDepth()) {
            Instant t = sample.at();
            long waiting = drawn.stream().filter(job -> !job.received().isAfter(t) && t.isBefore(waitEnd(job))).count();
            assertThat(sample.waiting()).as("waiting at " + t + " in " + since).isEqualTo(waiting);
        }
    }

    private static void checkDistribution(Distribution distribution, List<Long> sortedMillis, String what)
    {
        assertThat(distribution.count()).as(what).isEqualTo(sortedMillis.size());
        assertThat(sortedMillis).as(what).hasSizeGreaterThan(2);
        // Nearest rank: the smallest value with at least half (95 %) of all at or under it
        long median = sortedMillis.stream().filter(value -> sortedMillis.stream().filter(other -> other <= value).count() * 2 >= sortedMillis.size())
                .findFirst().orElseThrow();
        long p95 = sortedMillis.stream().filter(value -> sortedMillis.stream().filter(other -> other <= value).count() * 100 >= 95L * sortedMillis.size())
                .findFirst().orElseThrow();
        assertThat(distribution.median()).as(what).contains(Duration.ofMillis(median));
        assertThat(distribution.p95()).as(what).contains(Duration.ofMillis(p95));
        assertThat(distribution.max()).as(what).contains(Duration.ofMillis(sortedMillis.get(sortedMillis.size() - 1)));
        assertThat(distribution.histogram().stream().mapToLong(Distribution.Bin::count).sum()).as(what).isEqualTo(sortedMillis.size());
        for (Distribution.Bin bin : distribution.histogram()) {
            long inBin = sortedMillis.stream().filter(value -> value >= bin.from().toMillis() && bin.upTo().map(upTo -> value < upTo.toMillis()).orElse(true)).count();
            assertThat(bin.count()).as(what + " from " + bin.from()).isEqualTo(inBin);
        }
    }

    private static boolean inWindow(Instant time, Instant from)
    {
        return !time.isBefore(from) && time.isBefore(NOW);
    }

    /** When the job stopped waiting: its first start, else its end, else never. */
    private static Instant waitEnd(Drawn job)
    {
        return job.started() != null ? job.started() : job.ended() != null ? job.ended() : Instant.MAX;
    }

    /** Jobs received over the ten days to now, on the millisecond; some still waiting or running, a few ending unstarted. */
    private static List<Drawn> draw(Random random, int count)
    {
        List<Drawn> drawn = new ArrayList<>();
        // As many received in the last two hours as in the last day and in the ten days: each window has plenty
        List<Long> spans = List.of(Duration.ofDays(10).toMillis(), Duration.ofDays(1).toMillis(), Duration.ofHours(2).toMillis());
        for (int i = 0; i < count; i++) {
            Instant received = NOW.minusMillis(1 + (long) (random.nextDouble() * spans.get(i % spans.size())));
            String pool = List.of("", "gpu", "spot").get(random.nextInt(3));
            int gpus = pool.equals("gpu") ? 1 + random.nextInt(4) : 0;
            Instant started = received.plusMillis((long) Math.pow(10, 2 + random.nextDouble() * 5));
            Instant ended = started.plusMillis((long) Math.pow(10, 3 + random.nextDouble() * 4));
            int fate = random.nextInt(20);
            if (fate == 0 || !started.isBefore(NOW)) {
                // Still waiting
                drawn.add(new Drawn("w" + i, pool, gpus, received, null, null, null));
            }
            else if (fate == 1) {
                Instant cancelled = received.plusMillis(1 + random.nextInt(600_000));
                boolean ends = cancelled.isBefore(NOW);
                drawn.add(new Drawn("c" + i, pool, gpus, received, null, ends ? cancelled : null, ends ? JobState.CANCELLED : null));
            }
            else if (!ended.isBefore(NOW)) {
                drawn.add(new Drawn("r" + i, pool, gpus, received, started, null, null));
            }
            else {
                JobState state = List.of(JobState.SUCCEEDED, JobState.SUCCEEDED, JobState.FAILED, JobState.TIMED_OUT).get(random.nextInt(4));
                drawn.add(new Drawn("e" + i, pool, gpus, received, started, ended, state));
            }
        }
        return drawn;
    }

    private static void store(StoredJobs jobs, Drawn job)
    {
        StoredJobs.Life life = jobs.job(job.id()).received(job.received()).gpus(job.gpus());
        if (!job.pool().isEmpty()) {
            life.pool(job.pool());
        }
        if (job.started() != null) {
            life.started(job.started());
        }
        if (job.state() == null) {
            if (job.started() == null) {
                life.queued();
            }
            else {
                life.running();
            }
            return;
        }
        switch (job.state()) {
            case SUCCEEDED -> life.succeeded(job.ended());
            case FAILED -> life.failed(job.ended());
            case TIMED_OUT -> life.timedOut(job.ended());
            case CANCELLED -> life.cancelled(job.ended());
            default -> throw new IllegalStateException("not drawn: " + job.state());
        }
    }
}
