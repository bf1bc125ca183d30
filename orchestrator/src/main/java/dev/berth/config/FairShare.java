package dev.berth.config;

import dev.berth.job.JobRequest;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How admission shares the fleet between users: what a user has used lately counts against them, less
 * and less as it ages, and a user's share divides it.
 *
 * @param halfLife how long it takes for a use to count half as much ({@code BERTH_FAIR_SHARE_HALF_LIFE}, 7 days as in Slurm)
 * @param gpuWeight how many CPU-hours one GPU-hour counts as ({@code BERTH_FAIR_SHARE_GPU_WEIGHT})
 * @param shares the users whose share is not 1, by name ({@code BERTH_FAIR_SHARES}, such as {@code alice:2,bob:0.5})
 */
public record FairShare(Duration halfLife, double gpuWeight, Map<String, Double> shares)
{
    public static final String SHARES_KEY = "BERTH_FAIR_SHARES";
    public static final Duration DEFAULT_HALF_LIFE = Duration.ofDays(7);
    public static final double DEFAULT_GPU_WEIGHT = 10;

    public FairShare
    {
        requireNonNull(halfLife, "halfLife is null");
        if (halfLife.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new ConfigException("BERTH_FAIR_SHARE_HALF_LIFE must be at least 1m, got " + Durations.format(halfLife));
        }
        if (!(gpuWeight >= 0) || gpuWeight > 1000) {
            throw new ConfigException("BERTH_FAIR_SHARE_GPU_WEIGHT must be a number from 0 to 1000 (CPU-hours per GPU-hour), got " + gpuWeight);
        }
        shares = Map.copyOf(shares);
    }

    /** Every user's share is 1, and a GPU-hour counts as {@value #DEFAULT_GPU_WEIGHT} CPU-hours. */
    public static FairShare equalShares()
    {
        return new FairShare(DEFAULT_HALF_LIFE, DEFAULT_GPU_WEIGHT, Map.of());
    }

    /** The user's share: 1 unless configured. */
    public double share(String user)
    {
        return shares.getOrDefault(user, 1.0);
    }

    /** {@code user:share} pairs, comma-separated; each share above 0. */
    static Map<String, Double> parseShares(String value)
    {
        Map<String, Double> shares = new HashMap<>();
        for (String raw : value.split(",", -1)) {
            String entry = raw.strip();
            int colon = entry.lastIndexOf(':');
            if (colon <= 0) {
                throw refused(value, "'" + entry + "' is not user:share");
            }
            String user = entry.substring(0, colon);
            Optional<String> problem = JobRequest.userProblem(user);
            if (problem.isPresent()) {
                throw refused(value, "user " + problem.get());
            }
            double share;
            try {
                share = Double.parseDouble(entry.substring(colon + 1));
            }
            catch (NumberFormatException e) {
                share = Double.NaN;
            }
            if (!(share > 0) || share > 1_000_000) {
                throw refused(value, "the share of " + user + " must be a number above 0, got '" + entry.substring(colon + 1) + "'");
            }
            if (shares.put(user, share) != null) {
                throw refused(value, "user " + user + " is named twice");
            }
        }
        return shares;
    }

    private static ConfigException refused(String value, String why)
    {
        return new ConfigException("%s must be user:share pairs, comma-separated, such as alice:2,bob:0.5; got '%s': %s".formatted(SHARES_KEY, value, why));
    }
}
