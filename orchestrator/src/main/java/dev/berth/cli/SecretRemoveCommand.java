package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code berth secret rm}: removes one of berth's secrets, unless a job that names it has not ended yet. */
@Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
        description = {"Removes a secret. Refused while a job that names it has not ended, as that job would fail without it."})
final class SecretRemoveCommand
        implements Callable<Integer>
{
    private static final List<JobState> LIVE = Arrays.stream(JobState.values()).filter(state -> !state.terminal()).toList();

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "The secret's name.")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
            throws Exception
    {
        // Before the engine: Swarm refuses only while a service names the secret, and a queued job has none yet
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            List<String> naming = store.reads().inStates(LIVE).stream().filter(job -> job.spec().secrets().contains(name)).map(Job::id).toList();
            if (!naming.isEmpty()) {
                boolean one = naming.size() == 1;
                throw new BerthCli.UserException("secret " + name + " is named by " + (one ? "job " : "jobs ") + String.join(", ", naming)
                        + ", not ended yet, which would fail without it: cancel " + (one ? "it" : "them") + " or wait for " + (one ? "its" : "their") + " end");
            }
        }
        try (SwarmClient swarm = new SwarmClient(common.config().dockerHost())) {
            SwarmSecret secret = swarm.secret(name).orElseThrow(() -> new BerthCli.UserException("secret " + name + " does not exist (see 'berth secret ls')"));
            try {
                swarm.removeSecret(secret.id());
            }
            catch (EngineException e) {
                if (e.status() != 400) {
                    throw e;
                }
                throw new BerthCli.UserException("secret " + name + " is still in use by a service: " + e.getMessage());
            }
        }
        spec.commandLine().getOut().println("secret " + name + " removed");
        return 0;
    }
}
