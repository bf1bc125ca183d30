package dev.berth.fairshare;

import dev.berth.job.Claim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

import static java.util.Objects.requireNonNull;

/**
 * The order admission takes queued jobs in. Between users, fair share: first the user whose standing is
 * least, a standing being their use lately (ended attempts, decayed, see {@link UsageLedger}, plus what
 * their live jobs have held so far) divided by their share. Each job taken counts against its user for
 * the rest of the round as an hour of what it asks, so users of equal standing take turns and one far
 * below the others is served until it has caught up. Between users of equal standing, the higher
 * priority, then the older job. A user's own jobs go by priority, higher first, then first in, first
 * out. Each pool's line is cut at {@code perPool} jobs, so a deep queue of one pool hides no other's.
 */
public final class FairShareLine
{
    /** What a job taken in a round counts as until it has run: enough for turns, small beside a day's use. */
    static final Duration CHARGE_PER_ADMISSION = Duration.ofHours(1);
    /** The jobs of one user read at a time, when the line reaches them. */
    private static final int BATCH = 32;

    private final UsageLedger ledger;

    public FairShareLine(UsageLedger ledger)
    {
        this.ledger = requireNonNull(ledger, "ledger is null");
    }

    /**
     * @param live the jobs that hold a node now (prepared, handed to Swarm, running)
     * @return queued jobs, at most {@code perPool} of each pool, in the order to take them
     */
    public List<Claim> order(QueuedJobs queue, List<Claim> live, Instant now, int perPool)
    {
        Map<String, Double> running = new HashMap<>();
        for (Claim claim : live) {
            claim.startedAt().ifPresent(start -> running.merge(claim.user(), ledger.hours(claim.resources(), Duration.between(start, now)), Double::sum));
        }
        Map<String, Double> standings = new HashMap<>();
        PriorityQueue<Cursor> next = new PriorityQueue<>(Comparator.comparingDouble((Cursor cursor) -> cursor.standing)
                .thenComparing(cursor -> cursor.head.priority(), Comparator.reverseOrder())
                .thenComparingLong(cursor -> cursor.head.seq()));
        for (Optional<String> pool : queue.pools()) {
            for (Claim first : queue.firstOfEachUser(pool)) {
                double standing = standings.computeIfAbsent(first.user(),
                        user -> (ledger.usedHours(user, now) + running.getOrDefault(user, 0.0)) / ledger.policy().share(user));
                next.add(new Cursor(pool, first, standing));
            }
        }

        List<Claim> line = new ArrayList<>();
        Map<Optional<String>, Integer> taken = new HashMap<>();
        while (!next.isEmpty()) {
            Cursor cursor = next.poll();
            double standing = standings.get(cursor.head.user());
            if (standing > cursor.standing) {
                // Its user took a job from another pool since it was queued here: it goes back in at their new standing
                cursor.standing = standing;
                next.add(cursor);
                continue;
            }
            if (taken.merge(cursor.pool, 1, Integer::sum) > perPool) {
                continue;
            }
            Claim claim = cursor.head;
            line.add(claim);
            standing += ledger.hours(claim.resources(), CHARGE_PER_ADMISSION) / ledger.policy().share(claim.user());
            standings.put(claim.user(), standing);
            if (cursor.advance(queue)) {
                cursor.standing = standing;
                next.add(cursor);
            }
        }
        return line;
    }

    /** Where the line stands in one user's jobs of one pool. */
    private static final class Cursor
    {
        private final Optional<String> pool;
        private final Deque<Claim> read = new ArrayDeque<>();
        private Claim head;
        private double standing;
        private boolean allRead;

        Cursor(Optional<String> pool, Claim head, double standing)
        {
            this.pool = pool;
            this.head = head;
            this.standing = standing;
        }

        /** Moves to the user's next job in the pool; false when there is none. */
        boolean advance(QueuedJobs queue)
        {
            if (read.isEmpty() && !allRead) {
                List<Claim> batch = queue.after(pool, head.user(), head, BATCH);
                read.addAll(batch);
                allRead = batch.size() < BATCH;
            }
            Claim following = read.poll();
            if (following == null) {
                return false;
            }
            head = following;
            return true;
        }
    }
}
