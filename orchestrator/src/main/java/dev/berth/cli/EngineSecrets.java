package dev.berth.cli;

import dev.berth.swarm.EngineException;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmSecret;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The secrets that {@code berth submit} checks requests against: listed once, for all requests, from
 * the Docker engine, when it answers. A submitter far from the swarm leaves that check to the daemon's
 * intake, and is told so.
 */
final class EngineSecrets
        implements Supplier<Optional<Set<String>>>
{
    private final String dockerHost;
    private final PrintWriter err;
    /** Listed once for all requests: null until then, empty when the engine did not answer. */
    private Optional<Set<String>> existing;

    EngineSecrets(String dockerHost, PrintWriter err)
    {
        this.dockerHost = requireNonNull(dockerHost, "dockerHost is null");
        this.err = requireNonNull(err, "err is null");
    }

    @Override
    public Optional<Set<String>> get()
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
