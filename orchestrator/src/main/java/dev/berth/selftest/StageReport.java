package dev.berth.selftest;

import dev.berth.job.Attempt;
import dev.berth.job.Job;
import dev.berth.job.JobState;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The self-test's stages as the job reaches them, one line each: each look at the job gives the lines
 * of the stages it reached since the last. The times are those the daemon stored, so a stage passed
 * between two looks still shows when it was reached, and all are on the one clock: each is also
 * counted from the first, the daemon's receipt (the sender's own start would blur a send's time).
 */
public final class StageReport
{
    private static final int COMMIT_SHOWN = 12;

    private final DateTimeFormatter time;
    private final Set<Stage> shown = EnumSet.noneOf(Stage.class);

    public StageReport(ZoneId zone)
    {
        this.time = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(requireNonNull(zone, "zone is null"));
    }

    /** The lines of the stages reached since the last look, in order. */
    public List<String> newlyReached(Job job, List<Attempt> attempts)
    {
        List<String> lines = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            Optional<Instant> at = stage.reachedAt(job, attempts);
            if (at.isPresent() && shown.add(stage)) {
                lines.add(line(stage, at.get(), secondsAfterQueued(job, at.get()), detail(stage, job, attempts)));
            }
        }
        return lines;
    }

    /** Seconds from the daemon's receipt of the job to {@code at}. */
    public static double secondsAfterQueued(Job job, Instant at)
    {
        return Duration.between(job.receivedAt(), at).toMillis() / 1000.0;
    }

    private String line(Stage stage, Instant at, double seconds, String detail)
    {
        return String.format(Locale.ROOT, "  %-9s %s %8s  %s", stage.label(), time.format(at), String.format(Locale.ROOT, "%+.1fs", seconds), detail);
    }

    private static String detail(Stage stage, Job job, List<Attempt> attempts)
    {
        return switch (stage) {
            case QUEUED -> "received by the daemon";
            case PREPARED -> "commit " + job.commit().map(commit -> commit.substring(0, Math.min(COMMIT_SHOWN, commit.length()))).orElse("?")
                    + job.imageRef().map(image -> ", image " + image).orElse("");
            case RUNNING -> attempts.stream().filter(attempt -> attempt.startedAt().isPresent()).findFirst()
                    .flatMap(Attempt::node).map(node -> "on node " + node).orElse("started");
            case DONE -> ended(job);
        };
    }

    private static String ended(Job job)
    {
        StringBuilder text = new StringBuilder(job.state().name());
        job.cause().ifPresent(cause -> text.append(" (").append(cause.label()).append(')'));
        job.exitCode().ifPresent(code -> text.append(", exit code ").append(code));
        if (job.attempts() > 1) {
            text.append(", after ").append(job.attempts()).append(" attempts");
        }
        if (job.state() != JobState.SUCCEEDED) {
            job.reason().ifPresent(reason -> text.append(": ").append(reason));
        }
        return text.toString();
    }
}
