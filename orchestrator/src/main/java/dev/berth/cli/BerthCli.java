package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.store.AmbiguousJobIdException;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/** Builds the command line; {@link Main} and the tests share it, so tests run exactly what users run. */
@Command(
        name = "berth",
        mixinStandardHelpOptions = true,
        versionProvider = BerthCli.Version.class,
        description = "Runs batch jobs from git repositories on a Docker Swarm fleet.",
        subcommands = {
                ServeCommand.class,
                SubmitCommand.class,
                StatusCommand.class,
                ListCommand.class,
                LogsCommand.class,
                CancelCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class BerthCli
{
    /** A problem the user can fix; printed without a stack trace. */
    static final class UserException
            extends RuntimeException
    {
        UserException(String message)
        {
            super(message);
        }
    }

    public static CommandLine commandLine()
    {
        return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    public static CommandLine commandLine(PrintWriter out, PrintWriter err)
    {
        CommandLine commandLine = new CommandLine(new BerthCli());
        commandLine.addSubcommand(new WorkersCommand(BerthCli::swarmNodes));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            boolean verbose = parseResult.expandedArgs().stream().anyMatch(arg -> arg.equals("-v") || arg.equals("--verbose"));
            boolean expected = exception instanceof UserException || exception instanceof ConfigException || exception instanceof AmbiguousJobIdException;
            command.getErr().println("berth " + command.getCommandName() + ": " + exception.getMessage());
            if (verbose) {
                exception.printStackTrace(command.getErr());
            }
            else if (!expected) {
                command.getErr().println("(run again with --verbose for details)");
            }
            command.getErr().flush();
            return 1;
        });
        return commandLine;
    }

    /** The swarm's nodes as the engine named by the environment's config reports them. */
    private static List<SwarmNode> swarmNodes()
    {
        BerthConfig config = BerthConfig.fromEnvironment();
        try (SwarmClient swarm = new SwarmClient(config.dockerHost())) {
            return swarm.nodes(config.gpuKind());
        }
    }

    static final class Version
            implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            String version = BerthCli.class.getPackage().getImplementationVersion();
            return List.of("berth " + (version == null ? "development build" : version)).toArray(String[]::new);
        }
    }
}
