package dev.berth.selftest;

import dev.berth.job.Attempt;
import dev.berth.job.Job;
import dev.berth.job.JobState;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Whether the self-test's whole circuit worked: the job SUCCEEDED and its output ends with
 * {@value #OK_LINE}. Otherwise, the stage that failed and what to look at.
 */
public record SelfTestVerdict(Optional<Stage> failedAt, String message)
{
    public static final String OK_LINE = "selftest: OK";

    public SelfTestVerdict
    {
        requireNonNull(failedAt, "failedAt is null");
        requireNonNull(message, "message is null");
    }

    public boolean ok()
    {
        return failedAt.isEmpty();
    }

    /** The verdict on a self-test job that has ended, with what it wrote to stdout. */
    public static SelfTestVerdict judge(Job job, List<Attempt> attempts, Optional<String> stdout)
    {
        String id = job.id();
        if (job.state() == JobState.SUCCEEDED) {
            if (lastLine(stdout).equals(OK_LINE)) {
                String took = job.finishedAt().map(end -> String.format(Locale.ROOT, ", %.1f s after the daemon received it", StageReport.secondsAfterQueued(job, end))).orElse("");
                return new SelfTestVerdict(Optional.empty(), "the whole circuit works: job " + id + " was sent, queued, prepared, ran and passed its check" + took);
            }
            return failed(Stage.DONE, "job " + id + " succeeded, but its output does not end with '" + OK_LINE + "' (it ends with '"
                    + lastLine(stdout) + "'): the image may not run the self-test's script as it should; see 'berth logs " + id + "'");
        }
        String end = job.state() + job.cause().map(cause -> " (" + cause.label() + ")").orElse("") + job.reason().map(reason -> ": " + reason).orElse("");
        if (job.state() == JobState.REJECTED) {
            return failed(Stage.QUEUED, "the daemon rejected the self-test's request: " + job.reason().orElse("no reason given")
                    + "; check --image and --pool, and see 'berth status " + id + "'");
        }
        if (Stage.PREPARED.reachedAt(job, attempts).isEmpty()) {
            return failed(Stage.PREPARED, "job " + id + " ended " + end + " before it was prepared (mirror, checkout, image, run dir); see 'berth status " + id + "'");
        }
        if (Stage.RUNNING.reachedAt(job, attempts).isEmpty()) {
            return failed(Stage.RUNNING, "job " + id + " ended " + end + " before its container started; see 'berth status " + id
                    + "' and the service's tasks ('docker service ps " + attempts.get(attempts.size() - 1).serviceName() + "' while it exists)");
        }
        String said = failures(stdout);
        return failed(Stage.DONE, "job " + id + " ran but ended " + end + (said.isEmpty() ? "" : "; it says: " + said)
                + "; see 'berth logs " + id + "' and 'berth logs --stderr " + id + "'");
    }

    /** The verdict when the daemon did not take the request off the queue in time. */
    public static SelfTestVerdict notQueued(String jobId, Duration waited)
    {
        return failed(Stage.QUEUED, "job " + jobId + " was sent, but the daemon did not take it off the queue within " + waited.toSeconds()
                + " s: is 'berth serve' running, on this queue and state dir? See its log (on a fleet: journalctl -u berth)");
    }

    private static SelfTestVerdict failed(Stage stage, String message)
    {
        return new SelfTestVerdict(Optional.of(stage), "failed at '" + stage.label() + "': " + message);
    }

    private static String lastLine(Optional<String> stdout)
    {
        List<String> lines = stdout.orElse("").lines().filter(line -> !line.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }

    /** The lines where a part of the check said it failed: "cpu: FAILED: ..." or "gpu: FAILED: ...". */
    private static String failures(Optional<String> stdout)
    {
        return stdout.orElse("").lines().filter(line -> line.matches("(cpu|gpu): FAILED.*")).collect(Collectors.joining(" / "));
    }
}
