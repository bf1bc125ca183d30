package dev.berth.cli;

import dev.berth.job.EnvCredentials;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.JobRequest;
import dev.berth.job.SecretNames;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmSecret;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * What {@code berth submit} checks of a valid request before sending it, beyond the parser: that the
 * secrets it names exist, when the Docker engine answers (a submitter far from the swarm leaves that to
 * the daemon's intake), and which env values look like credentials, a warning naming the keys only.
 */
final class SubmitChecks
{
    private final String dockerHost;
    private final PrintWriter err;
    /** Listed once for all requests: null until then, empty when the engine did not answer. */
    private Optional<Set<String>> existing;

    SubmitChecks(String dockerHost, PrintWriter err)
    {
        this.dockerHost = requireNonNull(dockerHost, "dockerHost is null");
        this.err = requireNonNull(err, "err is null");
    }

    /** Warns of env values that look like credentials; refuses a request naming a secret Swarm lacks. */
    void check(JobRequest request)
            throws InvalidRequestException
    {
        List<String> credentialKeys = EnvCredentials.suspiciousKeys(request.env());
        if (!credentialKeys.isEmpty()) {
            err.println("berth submit: warning: job " + request.id() + ": " + EnvCredentials.warning(credentialKeys));
            err.flush();
        }
        if (request.secrets().isEmpty()) {
            return;
        }
        Optional<String> missing = existing().flatMap(names -> SecretNames.missing(request.secrets(), names));
        if (missing.isPresent()) {
            throw new InvalidRequestException(List.of(missing.get()));
        }
    }

    private Optional<Set<String>> existing()
    {
        if (existing == null) {
            try (SwarmClient swarm = new SwarmClient(dockerHost)) {
                existing = Optional.of(swarm.secrets().stream().map(SwarmSecret::name).collect(Collectors.toUnmodifiableSet()));
            }
            catch (EngineException e) {
                err.println("berth submit: note: cannot check the secrets with the Docker engine (" + e.getMessage()
                        + "); 'berth serve' checks them when the job arrives");
                err.flush();
                existing = Optional.empty();
            }
        }
        return existing;
    }
}
