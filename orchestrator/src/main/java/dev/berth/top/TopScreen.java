package dev.berth.top;

import dev.berth.config.Durations;
import dev.berth.job.JobState;
import dev.berth.top.TopSnapshot.JobLine;
import dev.berth.top.TopSnapshot.PoolLine;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Draws {@code berth top}: a snapshot and a view as the lines of a screen of a given size, each cut to
 * the width (never wrapped, so the layout holds on a narrow terminal), and as a plain snapshot for a
 * pipe. Everything a job wrote goes through {@link TerminalText#clean} on its way here.
 */
public final class TopScreen
{
    private static final String GAP = "  ";
    private static final String PICKED = "> ";
    private static final String UNPICKED = "  ";
    private static final int NAME_WIDTH = 24;
    private static final int ID_WIDTH = 26;
    private static final int NODE_WIDTH = 20;
    private static final int REASON_WIDTH = 100;
    private static final String KEYS = "q quit  / filter  ↑↓ pick  Enter log  c cancel";
    private static final String LOG_KEYS = "Esc back  s stdout/stderr  ↑↓ scroll  c cancel";

    private final DateTimeFormatter time;

    public TopScreen(ZoneId zone)
    {
        this.time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(requireNonNull(zone, "zone is null"));
    }

    /** The screen for {@code view}: the jobs, or the log it follows ({@code log}, read for it), in {@code width} × {@code height}. */
    public List<AttributedString> render(TopSnapshot snapshot, TopView view, Optional<LogExcerpt> log, int width, int height)
    {
        if (width <= 0 || height <= 0) {
            return List.of();
        }
        LogExcerpt excerpt = log.orElse(LogExcerpt.note("reading the log…"));
        // Scrolled back further than the log goes: its first line at the top, and the footer says how far that is
        int back = Math.min(view.scroll(), maxScroll(excerpt, height));
        List<AttributedString> lines = view.following().isPresent()
                ? logLines(snapshot, view, excerpt, back, height - 1)
                : jobLines(snapshot, view, width, height - 1);
        List<AttributedString> screen = new ArrayList<>(lines.subList(0, Math.min(lines.size(), height - 1)));
        while (screen.size() < height - 1) {
            screen.add(AttributedString.EMPTY);
        }
        screen.add(footer(snapshot, view, back));
        return screen.stream().map(line -> fit(line, width)).toList();
    }

    /** How far back {@code log} can scroll on a screen {@code height} lines high. */
    public static int maxScroll(LogExcerpt log, int height)
    {
        return Math.max(0, log.lines().size() - logRows(height));
    }

    /** One snapshot as text: the same sections, every row, for a pipe or a file. */
    public List<String> plain(TopSnapshot snapshot)
    {
        List<String> lines = new ArrayList<>();
        sections(snapshot, TopView.start(), 0, Integer.MAX_VALUE, REASON_WIDTH, false).forEach(line -> lines.add(line.toString().stripTrailing()));
        return lines;
    }

    private List<AttributedString> jobLines(TopSnapshot snapshot, TopView view, int width, int rows)
    {
        return sections(snapshot, view, width, rows, REASON_WIDTH, true);
    }

    /**
     * The header, the fleet, the queue, the live jobs and the failures. With {@code picking}, the picked job
     * is marked and the two job lists share what {@code rows} leaves them, each scrolled to keep the pick in sight.
     * The header's summary goes to the right edge of {@code width} columns (0: right after the rest).
     */
    private List<AttributedString> sections(TopSnapshot snapshot, TopView view, int width, int rows, int reasonWidth, boolean picking)
    {
        List<AttributedString> lines = new ArrayList<>();
        String header = "berth top  " + time.format(snapshot.takenAt());
        if (!view.filter().isEmpty()) {
            header += "  filter: " + TerminalText.clean(view.filter());
        }
        String summary = summary(snapshot);
        int room = width - TerminalText.width(header) - TerminalText.width(summary);
        lines.add(new AttributedString(header + " ".repeat(Math.max(2, room)) + summary, AttributedStyle.BOLD));
        lines.addAll(fleet(snapshot));
        TopSnapshot.QueueCounts queue = snapshot.queue();
        lines.add(new AttributedString("queue: %d queued  %d preparing  %d pending in Swarm  %d running"
                .formatted(queue.queued(), queue.preparing(), queue.pendingInSwarm(), queue.running())));

        List<JobLine> live = view.visibleLive(snapshot);
        List<JobLine> failures = view.visibleFailures(snapshot);
        Optional<String> picked = picking ? view.picked(view.visible(snapshot)).map(JobLine::id) : Optional.empty();
        // Two lines of title and column names per list, a blank line before each
        int left = rows - lines.size() - 6;
        int failureRows = Math.min(Math.max(1, failures.size()), Math.max(1, left / 3));
        int liveRows = Math.max(1, left - failureRows);
        if (Math.max(1, live.size()) < liveRows) {
            failureRows = Math.max(failureRows, left - Math.max(1, live.size()));
        }
        lines.add(AttributedString.EMPTY);
        lines.addAll(table("RUNNING AND STARTING", live, picked, picking ? liveRows : Integer.MAX_VALUE,
                List.of("ID", "NAME", "STATE", "NODE", "GPUS", "ELAPSED"), job -> liveCells(job, snapshot.takenAt())));
        lines.add(AttributedString.EMPTY);
        lines.addAll(table("RECENT FAILURES", failures, picked, picking ? failureRows : Integer.MAX_VALUE,
                List.of("ID", "NAME", "STATE", "ENDED", "REASON"), job -> failureCells(job, snapshot.takenAt(), reasonWidth)));
        return lines;
    }

    /** The fleet in a few words, for the header: what an operator glances at first. */
    private static String summary(TopSnapshot snapshot)
    {
        List<PoolLine> pools = snapshot.fleet().pools();
        int gpus = pools.stream().mapToInt(PoolLine::gpus).sum();
        int free = pools.stream().mapToInt(PoolLine::gpusFree).sum();
        return snapshot.fleet().workers() + " workers  " + free + "/" + gpus + " GPUs free";
    }

    private static List<AttributedString> fleet(TopSnapshot snapshot)
    {
        TopSnapshot.Fleet fleet = snapshot.fleet();
        if (fleet.problem().isPresent()) {
            return List.of(new AttributedString("fleet: " + TerminalText.clean(fleet.problem().get())));
        }
        if (fleet.pools().isEmpty()) {
            return List.of(new AttributedString("fleet: no workers (the swarm lists no nodes and no heartbeats were found)"));
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("POOL", "WORKERS", "READY", "FLAGGED", "GPUS", "USED", "FREE"));
        for (PoolLine pool : fleet.pools()) {
            rows.add(List.of(TerminalText.cut(TerminalText.clean(pool.pool()), NAME_WIDTH), String.valueOf(pool.workers()), String.valueOf(pool.ready()),
                    String.valueOf(pool.flagged()), String.valueOf(pool.gpus()), String.valueOf(pool.gpusUsed()), String.valueOf(pool.gpusFree())));
        }
        return columns(rows).stream().map(AttributedString::new).toList();
    }

    /**
     * A titled table of jobs showing at most {@code most} of them: from the first, or moved on just enough
     * that the picked one shows. The title says which rows show when not all do.
     */
    private static List<AttributedString> table(String title, List<JobLine> jobs, Optional<String> picked, int most,
            List<String> names, Function<JobLine, List<String>> cells)
    {
        int at = picked.map(id -> indexOf(jobs, id)).orElse(-1);
        int shown = Math.min(jobs.size(), Math.max(1, most));
        int first = at >= shown ? at - shown + 1 : 0;
        String count = shown < jobs.size() ? "%d-%d of %d".formatted(first + 1, first + shown, jobs.size()) : String.valueOf(jobs.size());
        List<AttributedString> lines = new ArrayList<>();
        lines.add(new AttributedString(title + " (" + count + ")", AttributedStyle.BOLD));
        if (jobs.isEmpty()) {
            lines.add(new AttributedString(UNPICKED + "(none)"));
            return lines;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(names);
        jobs.subList(first, first + shown).forEach(job -> rows.add(cells.apply(job)));
        List<String> text = columns(rows);
        lines.add(new AttributedString(UNPICKED + text.get(0), AttributedStyle.DEFAULT.underline()));
        for (int i = 1; i < text.size(); i++) {
            boolean isPicked = first + i - 1 == at;
            lines.add(isPicked
                    ? new AttributedString(PICKED + text.get(i), AttributedStyle.INVERSE)
                    : new AttributedString(UNPICKED + text.get(i)));
        }
        return lines;
    }

    private static int indexOf(List<JobLine> jobs, String id)
    {
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> liveCells(JobLine job, Instant now)
    {
        String elapsed = job.state() == JobState.RUNNING && job.startedAt().isPresent()
                ? since(job.startedAt().get(), now)
                : "waiting " + since(job.receivedAt(), now);
        return List.of(
                TerminalText.cut(TerminalText.clean(job.id()), ID_WIDTH),
                TerminalText.cut(TerminalText.clean(job.name()), NAME_WIDTH),
                job.state() + (job.cancelRequested() ? " (cancelling)" : ""),
                job.node().map(node -> TerminalText.cut(TerminalText.clean(node), NODE_WIDTH)).orElse("-"),
                String.valueOf(job.gpus()),
                elapsed);
    }

    private static List<String> failureCells(JobLine job, Instant now, int reasonWidth)
    {
        return List.of(
                TerminalText.cut(TerminalText.clean(job.id()), ID_WIDTH),
                TerminalText.cut(TerminalText.clean(job.name()), NAME_WIDTH),
                job.state() + job.cause().map(cause -> "[" + cause.label() + "]").orElse(""),
                job.finishedAt().map(end -> since(end, now) + " ago").orElse("-"),
                TerminalText.cut(TerminalText.clean(job.reason().orElse("")), reasonWidth));
    }

    private static String since(Instant start, Instant now)
    {
        Duration elapsed = Duration.between(start, now);
        return Durations.format(elapsed.isNegative() ? Duration.ZERO : Duration.ofSeconds(elapsed.toSeconds()));
    }

    /** Left-aligned columns two spaces apart, each as wide as its widest cell (in columns, as the terminal counts them). */
    private static List<String> columns(List<List<String>> rows)
    {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], TerminalText.width(row.get(i)));
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                line.append(i < widths.length - 1 ? TerminalText.pad(row.get(i), widths[i]) + GAP : row.get(i));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private List<AttributedString> logLines(TopSnapshot snapshot, TopView view, LogExcerpt log, int back, int rows)
    {
        String id = view.following().orElseThrow();
        Optional<JobLine> job = snapshot.job(id);
        String about = job.map(line -> " (" + TerminalText.clean(line.name()) + ")  " + line.state() + line.node().map(node -> " on " + TerminalText.clean(node)).orElse(""))
                .orElse("");
        List<AttributedString> lines = new ArrayList<>();
        lines.add(new AttributedString("log of " + TerminalText.clean(id) + about + "  " + view.stream().label(), AttributedStyle.BOLD));
        int shown = rows - 1;
        List<LogExcerpt.Line> all = log.lines();
        int end = all.size() - back;
        for (LogExcerpt.Line line : all.subList(Math.max(0, end - shown), end)) {
            String text = TerminalText.cleanLine(line.text());
            lines.add(switch (line.kind()) {
                case OUTPUT -> new AttributedString(text);
                case HEADING -> new AttributedString("── " + text + " ──", AttributedStyle.BOLD);
                case NOTE -> new AttributedString("(" + text + ")", AttributedStyle.DEFAULT.italic());
            });
        }
        return lines;
    }

    /** The lines a log shows on a screen {@code height} high: all but the title and the footer. */
    private static int logRows(int height)
    {
        return Math.max(0, height - 2);
    }

    private static AttributedString footer(TopSnapshot snapshot, TopView view, int back)
    {
        if (view.confirming().isPresent()) {
            String id = view.confirming().get();
            String name = snapshot.job(id).map(line -> " (" + TerminalText.clean(line.name()) + ")").orElse("");
            return new AttributedString("Cancel job " + TerminalText.clean(id) + name + "? y cancels it, n keeps it", AttributedStyle.INVERSE);
        }
        if (view.message().isPresent()) {
            return new AttributedString(TerminalText.clean(view.message().get()), AttributedStyle.BOLD);
        }
        if (view.editingFilter()) {
            return new AttributedString("filter: " + TerminalText.clean(view.filter()) + "_   Enter keeps it, Esc clears it");
        }
        if (view.following().isPresent()) {
            return new AttributedString(LOG_KEYS + (back > 0 ? "  (" + back + " lines up; G follows)" : "  (following)"),
                    AttributedStyle.DEFAULT.faint());
        }
        return new AttributedString(KEYS, AttributedStyle.DEFAULT.faint());
    }

    /** {@code line} cut to {@code width} columns, with its styles. */
    private static AttributedString fit(AttributedString line, int width)
    {
        return line.columnLength() <= width ? line : line.columnSubSequence(0, width);
    }
}
