package dev.berth.daemon;

import dev.berth.job.JobRequest;
import dev.berth.job.SecretNames;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmSecret;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Whether the secrets a request names are berth's Swarm secrets: checked at intake, so a request
 * naming an unknown one is rejected before it waits in the queue, and again at preparation, as a
 * secret may be removed in between. One check lists Swarm's secrets once, and only when a request
 * names any, so an intake batch costs at most one listing; make a new one for each batch.
 */
final class SecretCheck
{
    private final Swarm swarm;
    private Set<String> existing;
    private EngineException unavailable;

    SecretCheck(Swarm swarm)
    {
        this.swarm = requireNonNull(swarm, "swarm is null");
    }

    /**
     * The problem with the secrets the request names that Swarm lacks, naming each; empty when all exist.
     *
     * @throws EngineException when the engine cannot list them (again for every later request of this check, without asking again)
     */
    Optional<String> missing(JobRequest request)
    {
        if (request.secrets().isEmpty()) {
            return Optional.empty();
        }
        if (unavailable != null) {
            throw unavailable;
        }
        if (existing == null) {
            try {
                existing = swarm.secrets().stream().map(SwarmSecret::name).collect(Collectors.toUnmodifiableSet());
            }
            catch (EngineException e) {
                unavailable = e;
                throw e;
            }
        }
        return SecretNames.missing(request.secrets(), existing);
    }
}
