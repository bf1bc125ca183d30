package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.Durations;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.fleet.NodeLister;
import dev.berth.store.JobStore;
import dev.berth.top.FleetLook;
import dev.berth.top.TopData;
import dev.berth.top.TopScreen;
import dev.berth.top.TopSession;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

import static java.util.Objects.requireNonNull;

/** {@code berth top}: the fleet, the queue and the jobs on one screen that refreshes itself; a snapshot when not on a terminal. */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = {"A live view of the fleet (workers and GPUs by pool), the queue, running jobs and recent failures.",
                "Keys: arrows or j/k pick a job, Enter follows its log (s switches stdout/stderr, Esc goes back),",
                "c cancels it (after y), / filters the jobs by text, q quits.",
                "When stdin or stdout is not a terminal, prints one snapshot and exits."})
final class TopCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Option(names = "--json", description = "Print one snapshot as JSON and exit.")
    boolean json;

    @Option(names = "--once", description = "Print one snapshot as text and exit, even on a terminal.")
    boolean once;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION", description = "How often the screen reads the store and the fleet again (default: ${DEFAULT-VALUE}).")
    String interval;

    @Spec
    CommandSpec spec;

    private final NodeLister nodeLister;
    private final Clock clock;
    private final BooleanSupplier onTerminal;

    TopCommand(NodeLister nodeLister, Clock clock, BooleanSupplier onTerminal)
    {
        this.nodeLister = requireNonNull(nodeLister, "nodeLister is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.onTerminal = requireNonNull(onTerminal, "onTerminal is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        Duration every = Durations.parse(interval).filter(duration -> !duration.isZero())
                .orElseThrow(() -> new BerthCli.UserException("--interval must be a duration such as 1s or 500ms, not '" + interval + "'"));
        BerthConfig config = common.config();
        HeartbeatReader heartbeats = new HeartbeatReader(config.workersDir());
        try (JobStore store = JobStore.open(config.databaseFile())) {
            TopData data = new TopData(store, () -> FleetLook.take(nodeLister, heartbeats, clock.instant(), config.heartbeatStaleAfter()), clock);
            TopScreen screen = new TopScreen(ZoneId.systemDefault());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JobViews.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(TopJson.of(data.snapshot())));
                return 0;
            }
            if (once || !onTerminal.getAsBoolean()) {
                screen.plain(data.snapshot()).forEach(out::println);
                return 0;
            }
            try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
                new TopSession(terminal, data, screen, clock, every).run();
            }
            return 0;
        }
    }
}
