package dev.berth.fairshare;

import dev.berth.config.FairShare;
import dev.berth.job.Resources;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What each user has used lately, in CPU-hours (a GPU-hour counting as the configured number of them),
 * each use counting half as much every half-life after it ended. The daemon's is made again from the
 * store's ended attempts when it starts, so it is as durable as they are, and copied to the store as it
 * changes for the commands that show a queued job's place ({@link #of}). Charged from the thread that
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

    /** A ledger holding {@code used}, as the daemon's last copied it. */
    public static UsageLedger of(FairShare policy, Map<String, Used> used)
    {
        UsageLedger ledger = new UsageLedger(policy);
        ledger.used.putAll(used);
        return ledger;
    }

    /** How far back the attempts that still count at {@code now} ended. */
    public Instant rememberedSince(Instant now)
    {
        return now.minus(policy.halfLife().multipliedBy(HALF_LIVES_REMEMBERED));
    }

    /** A use of {@code resources} from {@code startedAt} to {@code endedAt}, in any order of ends; returns the user's use after it. */
    public synchronized Optional<Used> charge(String user, Resources resources, Instant startedAt, Instant endedAt)
    {
        double hours = hours(resources, Duration.between(startedAt, endedAt));
        if (hours <= 0) {
            return Optional.empty();
        }
        Used before = used.get(user);
        Used after;
        if (before == null) {
            after = new Used(hours, endedAt);
        }
        else if (endedAt.isAfter(before.asOf())) {
            after = new Used(before.hours() * decay(Duration.between(before.asOf(), endedAt)) + hours, endedAt);
        }
        else {
            after = new Used(before.hours() + hours * decay(Duration.between(endedAt, before.asOf())), before.asOf());
        }
        used.put(user, after);
        return Optional.of(after);
    }

    /** Every user's use, each as of its last charge. */
    public synchronized Map<String, Used> entries()
    {
        return Map.copyOf(used);
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
    public record Used(double hours, Instant asOf)
    {
        public Used
        {
            requireNonNull(asOf, "asOf is null");
        }
    }
}
