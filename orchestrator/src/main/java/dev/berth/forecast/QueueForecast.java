package dev.berth.forecast;

import dev.berth.config.FairShare;
import dev.berth.fairshare.FairShareLine;
import dev.berth.fairshare.QueuedJobs;
import dev.berth.fairshare.UsageLedger;
import dev.berth.job.Claim;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;
import dev.berth.store.QueueReads;
import dev.berth.store.QueueReads.Holding;
import dev.berth.store.QueueReads.InLine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The place in line of queued jobs, and when each may start. A job's place is its rank among the jobs
 * queued for its pool in the order admission takes them ({@link FairShareLine}), with each user's use as
 * the daemon last counted it. The estimate assumes the
 * pool keeps as many jobs at once as hold its nodes now: each of those ends after the typical run time
 * of its repository and entrypoint (the median of its last successes), and each end lets the next job
 * in line start, which then runs its own typical time. There is no estimate when nothing holds the
 * pool's nodes (the line waits for a node, not for a job to end), when a job it depends on has no
 * typical time yet, or for a place beyond {@value #MOST_AHEAD}.
 */
public final class QueueForecast
{
    /** The deepest place estimated: an estimate across more jobs than this says little and reads them all. */
    static final int MOST_AHEAD = 1_000;

    private final JobStore store;
    private final QueueReads reads;
    private final FairShare policy;
    private final Clock clock;

    public QueueForecast(JobStore store, FairShare policy, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.reads = store.queue();
        this.policy = requireNonNull(policy, "policy is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The queue as it is now: each pool's line is read once, however many of its jobs are asked about. */
    public Snapshot snapshot()
    {
        return new Snapshot(clock.instant());
    }

    /** The place of one job; empty unless it is queued. */
    public Optional<QueuePlace> placeOf(Job job)
    {
        return snapshot().placeOf(job);
    }

    /** Places read from the store as it was when first asked about each pool. */
    public final class Snapshot
    {
        private final Instant now;
        private final Map<Optional<String>, PoolLine> lines = new HashMap<>();
        private FairShareLine fairShare;
        private List<Claim> live;

        private Snapshot(Instant now)
        {
            this.now = requireNonNull(now, "now is null");
        }

        /** The job's place; empty unless it is queued (a job queued after this snapshot's line was read comes last). */
        public Optional<QueuePlace> placeOf(Job job)
        {
            if (job.state() != JobState.QUEUED || job.request().isEmpty()) {
                return Optional.empty();
            }
            Optional<String> pool = job.spec().pool();
            return Optional.of(lines.computeIfAbsent(pool, this::read).placeOf(job));
        }

        private PoolLine read(Optional<String> pool)
        {
            List<InLine> head = reads.inLine(line(pool, MOST_AHEAD));
            return new PoolLine(pool, head, starts(now, reads.holding(pool), head, cached(reads::typicalRunTime)), reads.queuedCount(pool));
        }

        /** The ids of the pool's first {@code most} queued jobs in the order admission takes them; the users' use is read once a snapshot. */
        private List<String> line(Optional<String> pool, int most)
        {
            if (fairShare == null) {
                fairShare = new FairShareLine(UsageLedger.of(policy, store.admission().storedUsage()));
                live = store.reads().liveClaims();
            }
            return fairShare.order(new OnePool(store.admission(), pool), live, now, most).stream().map(Claim::jobId).toList();
        }

        /** One pool's line of a deep queue, whole: what the place of a job far back needs. */
        private List<String> wholeLine(Optional<String> pool)
        {
            return line(pool, Integer.MAX_VALUE);
        }

        /** One pool's line, wherever a job is asked about: its head, estimated, and, read only when a job further back is asked about, every queued job's rank. */
        private final class PoolLine
        {
            private final Optional<String> pool;
            private final Map<String, Integer> headRanks = new HashMap<>();
            private final Map<String, Optional<Instant>> starts;
            private final long waiting;
            private Map<String, Long> ranks;

            PoolLine(Optional<String> pool, List<InLine> head, Map<String, Optional<Instant>> starts, long waiting)
            {
                this.pool = pool;
                for (int i = 0; i < head.size(); i++) {
                    headRanks.put(head.get(i).jobId(), i + 1);
                }
                this.starts = requireNonNull(starts, "starts is null");
                this.waiting = waiting;
            }

            QueuePlace placeOf(Job job)
            {
                Integer rank = headRanks.get(job.id());
                if (rank != null) {
                    return new QueuePlace(rank, Math.max(waiting, rank), pool, starts.get(job.id()));
                }
                if (ranks == null) {
                    ranks = new HashMap<>();
                    List<String> ids = wholeLine(pool);
                    for (int i = 0; i < ids.size(); i++) {
                        ranks.put(ids.get(i), (long) i + 1);
                    }
                }
                long position = ranks.getOrDefault(job.id(), waiting + 1);
                return new QueuePlace(position, Math.max(waiting, position), pool, Optional.empty());
            }
        }
    }

    /** The queue of one pool alone. */
    private record OnePool(QueuedJobs queue, Optional<String> pool)
            implements QueuedJobs
    {
        @Override
        public List<Optional<String>> pools()
        {
            return List.of(pool);
        }

        @Override
        public List<String> users(Optional<String> ofPool)
        {
            return queue.users(ofPool);
        }

        @Override
        public List<Claim> firstOf(Optional<String> ofPool, List<String> users)
        {
            return queue.firstOf(ofPool, users);
        }

        @Override
        public List<Claim> nextOf(Optional<String> ofPool, List<Claim> afters)
        {
            return queue.nextOf(ofPool, afters);
        }
    }

    /**
     * Each job in {@code line}'s estimated start (see the class comment), by job id: a heap of the times
     * the pool's places come free, the earliest taken by the next job in line.
     */
    static Map<String, Optional<Instant>> starts(Instant now, List<Holding> holding, List<InLine> line, TypicalRunTime typical)
    {
        Map<String, Optional<Instant>> starts = new HashMap<>();
        PriorityQueue<Instant> free = new PriorityQueue<>();
        boolean known = !holding.isEmpty();
        for (Holding job : holding) {
            Optional<Duration> runs = typical.of(job.repo(), job.entrypoint());
            if (runs.isEmpty()) {
                known = false;
                break;
            }
            Instant ends = job.started().orElse(now).plus(runs.get());
            // A job past its typical time is expected to end any moment, not in the past
            free.add(ends.isBefore(now) ? now : ends);
        }
        for (InLine job : line) {
            Optional<Duration> runs = known ? typical.of(job.repo(), job.entrypoint()) : Optional.empty();
            if (!known) {
                starts.put(job.jobId(), Optional.empty());
                continue;
            }
            Instant start = free.remove();
            starts.put(job.jobId(), Optional.of(start));
            if (runs.isEmpty()) {
                // Its end is unknown, so is every start after it
                known = false;
                continue;
            }
            free.add(start.plus(runs.get()));
        }
        return starts;
    }

    /** Each repository and entrypoint's typical time looked up once per forecast: a sweep is hundreds of jobs of one. */
    private static TypicalRunTime cached(TypicalRunTime lookup)
    {
        Map<List<String>, Optional<Duration>> seen = new HashMap<>();
        Function<List<String>, Optional<Duration>> look = key -> lookup.of(key.get(0), key.get(1));
        return (repo, entrypoint) -> seen.computeIfAbsent(List.of(repo, entrypoint), look);
    }

    /** How long jobs of a repository and entrypoint typically run; empty when none has succeeded yet. */
    @FunctionalInterface
    interface TypicalRunTime
    {
        Optional<Duration> of(String repo, String entrypoint);
    }
}
