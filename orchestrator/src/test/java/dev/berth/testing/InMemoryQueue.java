package dev.berth.testing;

import dev.berth.fairshare.QueuedJobs;
import dev.berth.job.Claim;
import dev.berth.job.JobState;
import dev.berth.job.Resources;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Queued jobs held in a list, read as the store reads them: by pool, by user, each user's in line. Counts its reads. */
public final class InMemoryQueue
        implements QueuedJobs
{
    private static final Comparator<Claim> IN_LINE = Comparator.comparing(Claim::user)
            .thenComparing(Claim::priority, Comparator.reverseOrder())
            .thenComparingLong(Claim::seq);

    private final List<Claim> queued = new ArrayList<>();
    private int reads;

    /** Queues a job of one CPU with no pool, as the next in arrival order. */
    public Claim add(String id, String user, int priority)
    {
        return add(id, user, priority, Optional.empty(), new Resources(1, 1L << 30, 0));
    }

    public Claim add(String id, String user, int priority, Optional<String> pool, Resources resources)
    {
        Claim claim = new Claim(queued.size() + 1, id, JobState.QUEUED, resources, pool, Optional.empty(), 0, false, user, priority, Optional.empty());
        queued.add(claim);
        return claim;
    }

    /** How many reads the line has made of the queue. */
    public int reads()
    {
        return reads;
    }

    @Override
    public List<Optional<String>> pools()
    {
        reads++;
        return queued.stream().map(Claim::pool).distinct().sorted(Comparator.comparing(pool -> pool.orElse(""))).toList();
    }

    @Override
    public List<String> users(Optional<String> pool)
    {
        reads++;
        return inPool(pool).stream().map(Claim::user).distinct().toList();
    }

    @Override
    public List<Claim> firstOf(Optional<String> pool, List<String> users)
    {
        reads++;
        List<Claim> firsts = new ArrayList<>();
        for (String user : users) {
            inPool(pool).stream().filter(claim -> claim.user().equals(user)).findFirst().ifPresent(firsts::add);
        }
        return firsts;
    }

    @Override
    public List<Claim> nextOf(Optional<String> pool, List<Claim> afters)
    {
        reads++;
        List<Claim> following = new ArrayList<>();
        for (Claim after : afters) {
            inPool(pool).stream().filter(claim -> claim.user().equals(after.user()) && IN_LINE.compare(claim, after) > 0).findFirst().ifPresent(following::add);
        }
        return following;
    }

    private List<Claim> inPool(Optional<String> pool)
    {
        return queued.stream().filter(claim -> claim.pool().equals(pool)).sorted(IN_LINE).toList();
    }
}
