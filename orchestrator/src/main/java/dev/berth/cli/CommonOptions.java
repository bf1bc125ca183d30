package dev.berth.cli;

import dev.berth.config.BerthConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/** Options every command takes, mixed in with {@code @Mixin}; {@link BerthCli} makes it with the environment it runs in. */
public final class CommonOptions
{
    private final Map<String, String> environment;

    @Option(names = "--state-dir", description = "Where berth keeps its database (default: $BERTH_STATE_DIR or ~/.berth).")
    Path stateDir;

    @Option(names = "--shared-dir", description = "The shared mount holding runs/ and mirrors/ (default: $BERTH_SHARED_DIR or <state dir>/shared).")
    Path sharedDir;

    /** Read from the arguments themselves, by {@link Main} before any logger exists and by {@link BerthCli}'s error handler. */
    @Option(names = {"-v", "--verbose"}, description = "Show stack traces and debug logging.")
    boolean verbose;

    CommonOptions(Map<String, String> environment)
    {
        this.environment = requireNonNull(environment, "environment is null");
    }

    /** The environment's configuration, with the directories given on the command line in place of theirs. */
    public BerthConfig config()
    {
        Map<String, String> values = new HashMap<>(environment);
        if (stateDir != null) {
            values.put("BERTH_STATE_DIR", stateDir.toString());
        }
        if (sharedDir != null) {
            values.put("BERTH_SHARED_DIR", sharedDir.toString());
        }
        return BerthConfig.load(values);
    }
}
