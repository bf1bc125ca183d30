package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;
import dev.berth.text.Abbreviation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/** {@code berth list}: the newest jobs, as a table or JSON. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists jobs, newest first.")
final class ListCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Option(names = {"-s", "--state"}, split = ",", paramLabel = "STATE",
            description = "Only jobs in these states (repeat or comma-separate): ${COMPLETION-CANDIDATES}.")
    Set<JobState> states = Set.of();

    @Option(names = {"-n", "--limit"}, defaultValue = "50", description = "At most this many jobs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Clock clock;

    ListCommand(Clock clock)
    {
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        if (limit < 1) {
            throw new BerthCli.UserException("--limit must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            List<Job> jobs = store.reads().newest(states, limit);
            if (json) {
                ArrayNode array = JobViews.mapper().createArrayNode();
                jobs.forEach(job -> array.add(JobViews.json(job, null)));
                out.println(JobViews.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(array));
                return 0;
            }
            Instant now = clock.instant();
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ID", "NAME", "STATE", "TRIES", "RECEIVED", "RAN", "EXIT", "REASON"));
            for (Job job : jobs) {
                rows.add(List.of(
                        job.id(),
                        Abbreviation.abbreviate(job.name(), 24),
                        job.state().name() + job.cause().map(cause -> "[" + cause.label() + "]").orElse(""),
                        String.valueOf(job.attempts()),
                        JobViews.time(job.receivedAt()),
                        JobViews.runtime(job, now),
                        job.exitCode().map(String::valueOf).orElse("-"),
                        Abbreviation.abbreviate(job.reason().orElse(""), 80)));
            }
            out.print(Table.render(rows));
            if (jobs.isEmpty()) {
                out.println(states.isEmpty() ? "(no jobs yet: send one with 'berth submit')" : "(no jobs in " + states + ")");
            }
            return 0;
        }
    }
}
