package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.export.S3ExportCheck;
import dev.berth.store.AmbiguousJobIdException;
import dev.berth.store.UnknownJobException;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmNode;
import dev.berth.time.Sleeper;
import dev.berth.time.Ticker;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Builds and runs the command line. {@link Main}, the daemon's {@link CommandSocket} and the tests
 * all run commands through it, so a test meets exactly what a user does: the one-line error (with
 * {@code --verbose}, the stack trace) and the exit status. Tests may put a command of their own,
 * or one made with fakes, in place of one of berth's.
 */
public final class BerthCli
{
    /** Every subcommand, in the order help lists them, made for each run from the CLI that runs it. */
    private static final Map<String, Function<BerthCli, Object>> COMMANDS = commands();

    private final Map<String, String> environment;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Map<String, Function<BerthCli, Object>> commands;
    /** Standard input of the run this command line was made for: what {@code secret create} and {@code submit --file -} read. */
    private final InputStream in;

    /** A problem the user can fix; printed without a stack trace. */
    static final class UserException
            extends RuntimeException
    {
        UserException(String message)
        {
            super(message);
        }
    }

    /** berth's commands, configured by {@code environment}, reading time from {@code clock} and waiting with {@code sleeper}. */
    BerthCli(Map<String, String> environment, Clock clock, Sleeper sleeper)
    {
        this(environment, clock, sleeper, COMMANDS, InputStream.nullInputStream());
    }

    private BerthCli(Map<String, String> environment, Clock clock, Sleeper sleeper, Map<String, Function<BerthCli, Object>> commands, InputStream in)
    {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.commands = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(commands, "commands is null")));
        this.in = requireNonNull(in, "in is null");
    }

    /** berth's commands, configured by {@code environment} (see {@link BerthConfig#environment()}), on the system's clock. */
    public static BerthCli standard(Map<String, String> environment)
    {
        return new BerthCli(environment, Clock.systemUTC(), Sleeper.system());
    }

    /** This command line with {@code command} run as {@code name}, in place of berth's own command of that name if there is one. */
    BerthCli withCommand(String name, Supplier<Object> command)
    {
        requireNonNull(command, "command is null");
        Map<String, Function<BerthCli, Object>> replaced = new LinkedHashMap<>(commands);
        replaced.put(requireNonNull(name, "name is null"), cli -> command.get());
        return new BerthCli(environment, clock, sleeper, replaced, in);
    }

    /** Runs {@code berth args...} with nothing on standard input, as the daemon runs the commands it answers. */
    public int execute(PrintWriter out, PrintWriter err, String... args)
    {
        return execute(InputStream.nullInputStream(), out, err, args);
    }

    /** Runs {@code berth args...}, reading standard input from {@code in} and printing to {@code out} and {@code err}; returns the exit status. */
    public int execute(InputStream in, PrintWriter out, PrintWriter err, String... args)
    {
        // A copy for this run, so that one command line may run commands for several callers at once, each with its own input
        BerthCli run = new BerthCli(environment, clock, sleeper, commands, in);
        int status = run.commandLine(out, err, args).execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /**
     * The command line for {@code args}. Building a subcommand's model costs picocli reflection, a good
     * part of a short command's start, so when the first argument names a subcommand only that one is
     * built; otherwise (help, a typo) all are, so usage and suggestions list every one.
     */
    CommandLine commandLine(PrintWriter out, PrintWriter err, String... args)
    {
        CommandLine commandLine = new CommandLine(new Root(), new Factory());
        if (args.length > 0 && commands.containsKey(args[0])) {
            commandLine.addSubcommand(args[0], commands.get(args[0]).apply(this));
        }
        else {
            commands.forEach((name, command) -> commandLine.addSubcommand(name, command.apply(this)));
            commandLine.addSubcommand("help", new CommandLine.HelpCommand());
        }
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            boolean verbose = parseResult.expandedArgs().stream().anyMatch(arg -> arg.equals("-v") || arg.equals("--verbose"));
            boolean expected = exception instanceof UserException || exception instanceof ConfigException || exception instanceof AmbiguousJobIdException
                    || exception instanceof UnknownJobException;
            // "berth secret create: ...", as "berth list: ..."
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + exception.getMessage());
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

    private static Map<String, Function<BerthCli, Object>> commands()
    {
        Map<String, Function<BerthCli, Object>> commands = new LinkedHashMap<>();
        commands.put("serve", cli -> new ServeCommand(cli, cli.clock));
        commands.put("submit", cli -> new SubmitCommand(cli.clock, cli.sleeper, Ticker.system(), cli.in));
        commands.put("status", cli -> new StatusCommand(Ticker.system(), cli.clock, S3ExportCheck::open));
        commands.put("wait-export", cli -> new WaitExportCommand(cli.clock, cli.sleeper, S3ExportCheck::open));
        commands.put("list", cli -> new ListCommand(cli.clock));
        commands.put("logs", cli -> new LogsCommand(cli.clock, cli.sleeper));
        commands.put("cancel", cli -> new CancelCommand(cli.clock, cli.sleeper));
        commands.put("workers", cli -> new WorkersCommand(cli::swarmNodes, cli.clock));
        commands.put("stats", cli -> new StatsCommand(cli.clock));
        commands.put("rerun", cli -> new RerunCommand());
        commands.put("purge", cli -> new PurgeCommand(cli.clock));
        commands.put("selftest", cli -> new SelftestCommand(cli.clock, cli.sleeper));
        // Java's own test for a terminal (stdin and stdout both one): top needs the keys as much as the screen
        commands.put("top", cli -> new TopCommand(cli::swarmNodes, cli.clock, () -> System.console() != null));
        commands.put("secret", BerthCli::secretCommands);
        return Collections.unmodifiableMap(commands);
    }

    /** {@code berth secret} with its own commands, each mixing in the common options as the others do. */
    private CommandLine secretCommands()
    {
        CommandLine secret = new CommandLine(new SecretCommand(), new Factory());
        secret.addSubcommand("create", new SecretCreateCommand(in));
        secret.addSubcommand("ls", new SecretListCommand());
        secret.addSubcommand("rm", new SecretRemoveCommand());
        return secret;
    }

    /** The swarm's nodes as the engine named by this CLI's environment reports them. */
    private List<SwarmNode> swarmNodes()
    {
        BerthConfig config = BerthConfig.load(environment);
        try (SwarmClient swarm = new SwarmClient(config.dockerHost())) {
            return swarm.nodes(config.gpuKind());
        }
    }

    /** Makes the objects picocli asks for: the common options with this CLI's environment, anything else as picocli would. */
    private final class Factory
            implements CommandLine.IFactory
    {
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        @Override
        public <K> K create(Class<K> type)
                throws Exception
        {
            if (type == CommonOptions.class) {
                return type.cast(new CommonOptions(environment));
            }
            return fallback.create(type);
        }
    }

    @Command(
            name = "berth",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            description = "Runs batch jobs from git repositories on a Docker Swarm fleet.")
    static final class Root
    {
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
