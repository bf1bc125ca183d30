package dev.berth.cli;

import dev.berth.config.BerthConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Options every command takes, mixed in with {@code @Mixin}. */
public final class CommonOptions
{
    @Option(names = "--state-dir", description = "Where berth keeps its database (default: $BERTH_STATE_DIR or ~/.berth).")
    Path stateDir;

    @Option(names = "--shared-dir", description = "The shared mount holding runs/ and mirrors/ (default: $BERTH_SHARED_DIR or <state dir>/shared).")
    Path sharedDir;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces and debug logging.")
    boolean verbose;

    public BerthConfig config()
    {
        Map<String, String> values = new HashMap<>(System.getenv());
        if (stateDir != null) {
            values.put("BERTH_STATE_DIR", stateDir.toString());
        }
        if (sharedDir != null) {
            values.put("BERTH_SHARED_DIR", sharedDir.toString());
        }
        return BerthConfig.load(values);
    }

    public boolean verbose()
    {
        return verbose;
    }
}
