package dev.berth.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cost.Cost;
import dev.berth.cost.CostJson;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueForecast;
import dev.berth.forecast.QueueJson;
import dev.berth.forecast.QueuePlace;
import dev.berth.job.ArraySummary;
import dev.berth.job.Job;
import dev.berth.job.JobJson;
import dev.berth.job.JobState;
import dev.berth.store.AmbiguousJobIdException;
import dev.berth.store.UnknownJobException;
import dev.berth.store.JobStore;
import dev.berth.text.Abbreviation;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * {@code berth list}: the newest jobs, as a table or JSON. A listing never leaves jobs out silently:
 * the table says how many it shows of how many there are, and {@code --json} prints every job that
 * matches unless {@code -n} is given. An array is one line (one JSON object), where its newest task
 * would be, unless {@code --tasks} lists its tasks as jobs; {@code --array} lists one array's tasks.
 */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists jobs, newest first.")
final class ListCommand
        implements Callable<Integer>
{
    /** What a table shows when {@code -n} is not given: a screenful or two. */
    static final int TABLE_LIMIT = 50;
    /** Jobs read from the store at a time, so a listing of every job holds one page of them, not all. */
    private static final int PAGE = 500;

    @Mixin
    CommonOptions common;

    @Option(names = {"-s", "--state"}, split = ",", paramLabel = "STATE",
            description = "Only jobs in these states (repeat or comma-separate): ${COMPLETION-CANDIDATES}.")
    Set<JobState> states = Set.of();

    // Not given is not the same as 50: --json prints every job unless told how many
    @Option(names = {"-n", "--limit"}, paramLabel = "N", converter = LimitConverter.class,
            description = "At most this many jobs, 0 for all (default: " + TABLE_LIMIT + " in the table, all with --json).")
    Integer limit;

    @Option(names = "--json", description = "Print a JSON array: every job that matches, unless -n is given.")
    boolean json;

    @Option(names = "--tasks", description = "List each task of an array as a job, not the array as one line.")
    boolean tasks;

    @Option(names = "--array", paramLabel = "ARRAY", description = "List only this array's tasks, lowest index first.")
    String array;

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
        PrintWriter out = spec.commandLine().getOut();
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            if (json) {
                printJson(store, out);
                return 0;
            }
            int most = limit == null ? TABLE_LIMIT : limit;
            Instant now = clock.instant();
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ID", "NAME", "STATE", "TRIES", "RECEIVED", "RAN", "EXIT", "QUEUE", "REASON"));
            QueueForecast.Snapshot queue = new QueueForecast(store, common.config().fairShare(), clock).snapshot();
            int shown = forEachPage(store, most, page -> page.forEach(line -> rows.add(line instanceof ArraySummary whole ? ArrayViews.row(whole)
                    : row((Job) line, queue.placeOf((Job) line), now))));
            out.print(Table.render(rows));
            if (shown == 0) {
                out.println(states.isEmpty() ? "(no jobs yet: send one with 'berth submit')" : "(no jobs in " + states + ")");
            }
            // Counted only when the listing was cut where it may have left jobs out; the count follows the read,
            // so a job stored in between makes it one more, never a listing that looks whole and is not
            if (most != 0 && shown == most) {
                long total = array != null ? store.arrays().tasks(arrayId(store), states).size()
                        : tasks ? store.reads().count(states) : store.arrays().lines(states);
                if (total > shown) {
                    // On stderr, as kubectl prints its notes and gh prints "Showing N of M" only to a terminal: the
                    // person at the terminal reads it under the table, while 'berth list | wc -l' or a grep of the
                    // table's rows still gets the rows alone
                    PrintWriter err = spec.commandLine().getErr();
                    err.println(String.format(Locale.ROOT, "%,d of %,d shown; -n 0 for all", shown, total));
                    err.flush();
                }
            }
            return 0;
        }
    }

    /**
     * The jobs as one JSON array, written one job at a time as the pages come: 10⁵ jobs make tens of
     * megabytes of text, which this never holds whole, nor their trees. The text is what the whole
     * array printed by the default pretty printer reads, as before.
     */
    private void printJson(JobStore store, PrintWriter out)
            throws IOException, UnknownJobException, AmbiguousJobIdException
    {
        QueueForecast.Snapshot queue = new QueueForecast(store, common.config().fairShare(), clock).snapshot();
        RunDirExports exports = RunDirExports.of(common.config());
        JsonGenerator generator = JobViews.mapper().getFactory().createGenerator(out)
                // The command line's own writer: flushed here, closed by whoever made it
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .useDefaultPrettyPrinter();
        generator.writeStartArray();
        forEachPage(store, limit == null ? 0 : limit, page -> {
            Map<String, Cost> costs = store.reads().costs(page.stream().filter(Job.class::isInstance).map(line -> ((Job) line).id()).toList());
            for (Object line : page) {
                try {
                    if (line instanceof ArraySummary whole) {
                        generator.writeTree(JobJson.array(whole));
                        continue;
                    }
                    Job job = (Job) line;
                    ObjectNode node = JobViews.json(job, null, exports);
                    QueueJson.put(node, queue.placeOf(job));
                    CostJson.put(node, costs.get(job.id()));
                    generator.writeTree(node);
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        generator.writeEndArray();
        generator.flush();
        out.println();
    }

    /**
     * Hands {@code action} the listing's lines a page at a time (so that what is read beside the jobs, their costs, is
     * read once a page): the newest {@code most} (0: all) that match, newest first, each a {@link Job} or, for an array
     * when its tasks are not listed, one {@link ArraySummary} where its newest matching task is. Returns how many.
     */
    private int forEachPage(JobStore store, int most, Consumer<List<Object>> action)
            throws UnknownJobException, AmbiguousJobIdException
    {
        if (array != null) {
            List<Object> lines = new ArrayList<>(store.arrays().tasks(arrayId(store), states));
            List<Object> shown = most == 0 ? lines : lines.subList(0, Math.min(most, lines.size()));
            action.accept(shown);
            return shown.size();
        }
        int shown = 0;
        long before = Long.MAX_VALUE;
        Set<String> arraysShown = new HashSet<>();
        while (most == 0 || shown < most) {
            int wanted = most == 0 ? PAGE : Math.min(PAGE, most - shown);
            List<Job> page = store.reads().newestBefore(states, before, wanted);
            List<Object> lines = new ArrayList<>();
            for (Job job : page) {
                if (tasks || job.task().isEmpty()) {
                    lines.add(job);
                }
                // An array's tasks were stored together, so they come one after another; it is one line, at the first of them
                else if (arraysShown.add(job.task().get().arrayId())) {
                    store.arrays().array(job.task().get().arrayId()).ifPresent(lines::add);
                }
            }
            action.accept(lines);
            shown += lines.size();
            if (page.size() < wanted) {
                break;
            }
            Job last = page.get(page.size() - 1);
            // Past the rest of an array already shown, so that 10,000 tasks are not read to list one line
            before = last.task().filter(task -> !tasks).map(task -> store.arrays().firstSeq(task.arrayId())).orElse(last.seq());
        }
        return shown;
    }

    private String arrayId(JobStore store)
            throws UnknownJobException, AmbiguousJobIdException
    {
        return store.arrays().find(array).orElseThrow(() -> new UnknownJobException(array)).id();
    }

    private static List<String> row(Job job, Optional<QueuePlace> place, Instant now)
    {
        return List.of(
                job.id(),
                Abbreviation.abbreviate(job.name(), 24),
                job.state().name() + job.cause().map(cause -> "[" + cause.label() + "]").orElse(""),
                String.valueOf(job.attempts()),
                JobViews.time(job.receivedAt()),
                JobViews.runtime(job, now),
                job.exitCode().map(String::valueOf).orElse("-"),
                place.map(where -> JobViews.shortPlace(where, now)).orElse("-"),
                Abbreviation.abbreviate(job.reason().orElse(""), 80));
    }

    /** {@code -n}: a whole number of jobs, 0 or more; picocli names the option in front of the message. */
    static final class LimitConverter
            implements ITypeConverter<Integer>
    {
        @Override
        public Integer convert(String value)
        {
            try {
                int limit = Integer.parseInt(value.strip());
                if (limit >= 0) {
                    return limit;
                }
            }
            catch (NumberFormatException e) {
                // Told below, as a negative number is
            }
            throw new TypeConversionException("'" + value + "' is not a number of jobs: give a whole number, 1 or more, or 0 for all");
        }
    }
}
