package dev.berth.fairshare;

import dev.berth.job.Claim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;

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
    /** The users of a pool whose first (or next) jobs are read at a time, when the line reaches them. */
    private static final int USERS_READ = 64;

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
        Function<String, Double> standing = user -> standings.computeIfAbsent(user,
                name -> (ledger.usedHours(name, now) + running.getOrDefault(name, 0.0)) / ledger.policy().share(name));
        PriorityQueue<Cursor> next = new PriorityQueue<>(Comparator.comparingDouble((Cursor cursor) -> cursor.standing)
                .thenComparing(Cursor::priority, Comparator.reverseOrder())
                .thenComparingLong(Cursor::seq));
        for (Optional<String> pool : queue.pools()) {
            List<String> users = new ArrayList<>(queue.users(pool));
            if (!users.isEmpty()) {
                users.sort(Comparator.comparing(standing));
                UsersLeft left = new UsersLeft(users, users.stream().map(standing).toList());
                next.add(new Cursor(pool, left, left.firstStanding()));
            }
        }

        List<Claim> line = new ArrayList<>();
        Map<Optional<String>, Integer> taken = new HashMap<>();
        // Per pool, the users who had a turn and whose next job is not read yet: read together when the first of them needs it
        Map<Optional<String>, Set<Cursor>> unread = new HashMap<>();
        while (!next.isEmpty()) {
            Cursor cursor = next.poll();
            if (taken.getOrDefault(cursor.pool, 0) >= perPool) {
                continue;
            }
            if (cursor.usersLeft != null) {
                // The users of the pool not yet read come after all those read: the next few of them join the line now
                UsersLeft left = cursor.usersLeft;
                for (Claim first : queue.firstOf(cursor.pool, left.take())) {
                    next.add(new Cursor(cursor.pool, first, standing.apply(first.user())));
                }
                if (left.any()) {
                    cursor.standing = left.firstStanding();
                    next.add(cursor);
                }
                continue;
            }
            double current = standing.apply(cursor.head.user());
            if (current > cursor.standing) {
                // Its user took a job from another pool since it was queued here: it goes back in at their new standing
                cursor.standing = current;
                next.add(cursor);
                continue;
            }
            if (cursor.taken) {
                // Its user's next job is read only now that the user's turn has come again: most users of a deep queue never get a second
                Set<Cursor> waiting = unread.get(cursor.pool);
                if (waiting.contains(cursor)) {
                    readNext(queue, cursor, waiting);
                }
                if (cursor.advance()) {
                    next.add(cursor);
                }
                continue;
            }
            taken.merge(cursor.pool, 1, Integer::sum);
            Claim claim = cursor.head;
            line.add(claim);
            current += ledger.hours(claim.resources(), CHARGE_PER_ADMISSION) / ledger.policy().share(claim.user());
            standings.put(claim.user(), current);
            cursor.taken = true;
            cursor.standing = current;
            unread.computeIfAbsent(cursor.pool, pool -> new LinkedHashSet<>()).add(cursor);
            next.add(cursor);
        }
        return line;
    }

    /** Reads the next job of {@code cursor}'s user, and of the users who had their turn before it, up to {@value #USERS_READ} in one read. */
    private static void readNext(QueuedJobs queue, Cursor cursor, Set<Cursor> waiting)
    {
        List<Cursor> batch = new ArrayList<>();
        batch.add(cursor);
        waiting.remove(cursor);
        Iterator<Cursor> others = waiting.iterator();
        while (batch.size() < USERS_READ && others.hasNext()) {
            batch.add(others.next());
            others.remove();
        }
        Map<String, Claim> following = new HashMap<>();
        for (Claim claim : queue.nextOf(cursor.pool, batch.stream().map(each -> each.head).toList())) {
            following.put(claim.user(), claim);
        }
        for (Cursor each : batch) {
            each.following = Optional.ofNullable(following.get(each.head.user()));
        }
    }

    /**
     * A pool's users whose jobs are not yet read, least standing first, with their standings as the round
     * began (a standing only grows in a round, so none of them stands lower now); read a few at a time, as
     * the line reaches them.
     */
    private static final class UsersLeft
    {
        private final List<String> users;
        private final List<Double> standings;
        private int next;

        UsersLeft(List<String> users, List<Double> standings)
        {
            this.users = users;
            this.standings = standings;
        }

        boolean any()
        {
            return next < users.size();
        }

        double firstStanding()
        {
            return standings.get(next);
        }

        /** The next {@value #USERS_READ} users, and any more of the same standing as the last, so that those left stand higher. */
        List<String> take()
        {
            int end = Math.min(users.size(), next + USERS_READ);
            while (end < users.size() && standings.get(end) <= standings.get(end - 1)) {
                end++;
            }
            List<String> taken = users.subList(next, end);
            next = end;
            return taken;
        }
    }

    /** Where the line stands in one user's jobs of one pool: at a job not yet taken, or just past the one taken last. */
    private static final class Cursor
    {
        private final Optional<String> pool;
        private Claim head;
        private double standing;
        /** Whether {@code head} is in the line already; it still places the cursor among its user's equals, as the next job comes after it. */
        private boolean taken;
        /** Once read, the user's job after {@code head} (none: the user has no more). */
        private Optional<Claim> following = Optional.empty();
        /** Instead of a user's jobs, the pool's users not yet read: it comes before every user of its standing. */
        private final UsersLeft usersLeft;

        Cursor(Optional<String> pool, Claim head, double standing)
        {
            this.pool = pool;
            this.head = head;
            this.standing = standing;
            this.usersLeft = null;
        }

        Cursor(Optional<String> pool, UsersLeft usersLeft, double standing)
        {
            this.pool = pool;
            this.head = null;
            this.standing = standing;
            this.usersLeft = usersLeft;
        }

        int priority()
        {
            return usersLeft != null ? Integer.MAX_VALUE : head.priority();
        }

        long seq()
        {
            return usersLeft != null ? Long.MIN_VALUE : head.seq();
        }

        /** Moves to the user's next job in the pool, as read; false when there is none. */
        boolean advance()
        {
            if (following.isEmpty()) {
                return false;
            }
            head = following.get();
            following = Optional.empty();
            taken = false;
            return true;
        }
    }
}
