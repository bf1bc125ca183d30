package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth secret}: groups the commands on the Swarm secrets that jobs name; run alone, it shows them. */
@Command(name = "secret", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "(create | ls | rm)",
        description = {"Manages the secrets jobs read from /run/secrets/NAME.",
                "A job names them with 'berth submit --secret NAME', or \"secrets\": [\"NAME\"] in a request.",
                "They are Swarm secrets: berth keeps only their names, and Swarm hands a value only to the",
                "containers of the jobs that name it, never to 'docker service inspect'."})
final class SecretCommand
        implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do with secrets: create, ls or rm");
    }
}
