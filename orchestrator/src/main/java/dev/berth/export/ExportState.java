package dev.berth.export;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How far a run dir's export has come, as {@code berth status} says it.
 *
 * @param problem why S3 could not say, for {@link Stage#UNKNOWN}
 */
public record ExportState(Stage stage, Optional<String> problem)
{
    public enum Stage
    {
        /** The job has not ended: its run dir is still being written, and result.json is not there yet. */
        NOT_ENDED,
        /** Ended, and its result.json is not in the bucket yet. */
        PENDING,
        /** Its result.json is in the bucket: the file system has exported the run dir. */
        EXPORTED,
        /** S3 could not be asked. */
        UNKNOWN
    }

    public ExportState
    {
        requireNonNull(stage, "stage is null");
        requireNonNull(problem, "problem is null");
    }

    /** A job still running: S3 is not asked, as its run dir is not complete. */
    public static ExportState notEnded()
    {
        return new ExportState(Stage.NOT_ENDED, Optional.empty());
    }

    /** Asks S3 about an ended job's run dir. */
    public static ExportState asked(RunDirExport export, ExportCheck check)
    {
        try {
            return new ExportState(check.exported(export) ? Stage.EXPORTED : Stage.PENDING, Optional.empty());
        }
        catch (ExportCheckException e) {
            return new ExportState(Stage.UNKNOWN, Optional.of(e.getMessage()));
        }
    }

    public String text()
    {
        return switch (stage) {
            case NOT_ENDED -> "exported once the job has ended";
            case PENDING -> "export pending";
            case EXPORTED -> "exported";
            case UNKNOWN -> "export unknown: " + problem.orElse("S3 did not say");
        };
    }
}
