package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.store.AmbiguousJobIdException;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Builds and runs the command line; {@link Main} and the tests share it, so tests run exactly what users run. */
@Command(
        name = "berth",
        mixinStandardHelpOptions = true,
        versionProvider = BerthCli.Version.class,
        description = "Runs batch jobs from git repositories on a Docker Swarm fleet.")
public final class BerthCli
{
    /** Every subcommand, in the order help lists them. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    /** A problem the user can fix; printed without a stack trace. */
    static final class UserException
            extends RuntimeException
    {
        UserException(String message)
        {
            super(message);
        }
    }

    /** Runs {@code berth args...}, printing to {@code out} and {@code err}; returns the exit status. */
    public static int execute(PrintWriter out, PrintWriter err, String... args)
    {
        int status = commandLine(out, err, args).execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /**
     * The command line for {@code args}. Building a subcommand's model costs picocli reflection, a good
     * part of a short command's start, so when the first argument names a subcommand only that one is
     * built; otherwise (help, a typo) all are, so usage and suggestions list every one.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String... args)
    {
        CommandLine commandLine = new CommandLine(new BerthCli());
        if (args.length > 0 && SUBCOMMANDS.containsKey(args[0])) {
            commandLine.addSubcommand(args[0], SUBCOMMANDS.get(args[0]).get());
        }
        else {
            SUBCOMMANDS.forEach((name, command) -> commandLine.addSubcommand(name, command.get()));
            commandLine.addSubcommand("help", new CommandLine.HelpCommand());
        }
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

    private static Map<String, Supplier<Object>> subcommands()
    {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("serve", ServeCommand::new);
        commands.put("submit", SubmitCommand::new);
        commands.put("status", StatusCommand::new);
        commands.put("list", ListCommand::new);
        commands.put("logs", LogsCommand::new);
        commands.put("cancel", CancelCommand::new);
        commands.put("workers", () -> new WorkersCommand(BerthCli::swarmNodes));
        return Collections.unmodifiableMap(commands);
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
