package dev.berth.cli;

import dev.berth.stats.Stats;
import dev.berth.stats.StatsJson;
import dev.berth.stats.StatsQuery;
import dev.berth.stats.StatsQueryException;
import dev.berth.stats.StatsReport;
import dev.berth.store.JobGrouping;
import dev.berth.store.JobStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/**
 * {@code berth stats}: what the fleet did over a window, read from the state database (as the dashboard's
 * Stats page and {@code GET /api/v1/stats} show it): jobs finished by outcome and per interval, the queue's
 * depth, wait and run times, failures by cause, GPU- and CPU-hours per pool, optionally per repository or pool; and what attempts cost per user and per repository, per month.
 */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Show what the fleet did over a window: jobs finished by outcome "
        + "and per hour, the queue's depth, wait and run times (median, p95, longest), failures by cause, GPU- and CPU-hours per pool, "
        + "and what attempts cost per month, per user and per repository.")
final class StatsCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Option(names = "--since", paramLabel = "WINDOW", converter = SinceConverter.class, defaultValue = StatsQuery.DEFAULT_SINCE,
            description = "How far back to look, from 1m to 90d, such as 1h, 24h or 7d (default: ${DEFAULT-VALUE}).")
    Duration since;

    @Option(names = "--by", paramLabel = "GROUPING", converter = GroupingConverter.class,
            description = "Also show the figures per repo, pool or user.")
    JobGrouping by;

    @Option(names = "--json", description = "Print JSON, as GET /api/v1/stats answers it.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Clock clock;

    StatsCommand(Clock clock)
    {
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Integer call()
    {
        StatsReport report;
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            report = new Stats(store.stats()).report(new StatsQuery(since, Optional.ofNullable(by)), clock.instant());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? StatsJson.text(report) : StatsText.render(report));
        out.flush();
        return 0;
    }

    /** {@code --since}, refused in the words the HTTP API uses too; picocli names the option in front. */
    static final class SinceConverter
            implements ITypeConverter<Duration>
    {
        @Override
        public Duration convert(String value)
        {
            try {
                return StatsQuery.parseSince(value);
            }
            catch (StatsQueryException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class GroupingConverter
            implements ITypeConverter<JobGrouping>
    {
        @Override
        public JobGrouping convert(String value)
        {
            try {
                return StatsQuery.parseBy(value);
            }
            catch (StatsQueryException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
