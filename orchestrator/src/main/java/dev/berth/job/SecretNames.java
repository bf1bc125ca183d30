package dev.berth.job;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a job's secret may be called, and how a missing one is told: Swarm's own rule for secret
 * names, applied alike to a request's {@code secrets} and to {@code berth secret create}. The name is
 * also the file the job reads, {@code /run/secrets/NAME}.
 */
public final class SecretNames
{
    /** A request names at most this many secrets: enough for a job's credentials, few enough to read in a listing. */
    public static final int MAX_PER_JOB = 16;
    public static final String EXPECTED = "1-64 letters, digits, '_', '.' or '-', starting and ending with a letter or digit";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?");

    private SecretNames() {}

    public static boolean valid(String name)
    {
        return NAME.matcher(name).matches();
    }

    /** The problem with the secrets {@code named} that are not among {@code existing}, each with how to create it; empty when all exist. */
    public static Optional<String> missing(Collection<String> named, Set<String> existing)
    {
        String problem = named.stream()
                .filter(name -> !existing.contains(name))
                .map(name -> "secret '" + name + "' does not exist: create it with 'berth secret create " + name + "'")
                .collect(Collectors.joining("; "));
        return problem.isEmpty() ? Optional.empty() : Optional.of(problem);
    }
}
