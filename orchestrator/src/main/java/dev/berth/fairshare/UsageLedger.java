package dev.berth.fairshare;

import dev.berth.config.FairShare;
import dev.berth.job.Resources;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What each user has used lately, in CPU-hours (a GPU-hour counting as the configured number of them),
 * each use counting half as much every half-life after it ended. Kept in memory and made again from the
 * store's ended attempts when berth starts, so it is as durable as they are. Charged from the thread that
 * ends attempts and read from the one that admits jobs.
 */
public final class UsageLedger
{
    /** Uses older than this many half-lives count for less than a thousandth: they are not read at start. */
    static final int HALF_LIVES_REMEMBERED = 10;

    private final FairShare policy;
    private final Map<String, Used> used = new HashMap<>();

    public UsageLedger(FairShare policy)
    {
        this.policy = requireNonNull(policy, "policy is null");
    }

    /** How far back the attempts that still count at {@code now} ended. */
    public Instant rememberedSince(Instant now)
    {
        return now.minus(policy.halfLife().multipliedBy(HALF_LIVES_REMEMBERED));
    }

    /** A use of {@code resources} from {@code startedAt} to {@code endedAt}, in any order of ends. */
    public synchronized void charge(String user, Resources resources, Instant startedAt, Instant endedAt)
    {
        double hours = hours(resources, Duration.between(startedAt, endedAt));
        if (hours <= 0) {
            return;
        }
        Used before = used.get(user);
        if (before == null) {
            used.put(user, new Used(hours, endedAt));
        }
        else if (endedAt.isAfter(before.asOf())) {
            used.put(user, new Used(before.hours() * decay(Duration.between(before.asOf(), endedAt)) + hours, endedAt));
        }
        else {
            used.put(user, new Used(before.hours() + hours * decay(Duration.between(endedAt, before.asOf())), before.asOf()));
        }
    }

    /** The user's use as it counts at {@code now}. */
    public synchronized double usedHours(String user, Instant now)
    {
        Used past = used.get(user);
        return past == null ? 0 : past.hours() * decay(Duration.between(past.asOf(), now));
    }

    /** CPU-hours that holding {@code resources} for {@code held} counts as. */
    public double hours(Resources resources, Duration held)
    {
        double perHour = resources.cpus() + policy.gpuWeight() * resources.gpus();
        return perHour * Math.max(0, held.toMillis()) / 3_600_000.0;
    }

    public FairShare policy()
    {
        return policy;
    }

    /** What a use counts for after {@code age}: 1 when new, 1/2 after a half-life; never more than 1 (a clock that went back). */
    private double decay(Duration age)
    {
        return Math.min(1, Math.pow(0.5, (double) age.toMillis() / policy.halfLife().toMillis()));
    }

    /** A user's decayed use as of a time. */
    private record Used(double hours, Instant asOf) {}
}
