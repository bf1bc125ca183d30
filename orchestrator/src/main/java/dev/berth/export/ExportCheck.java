package dev.berth.export;

import dev.berth.config.BerthConfig;

/** Asks S3 whether an object has arrived: how {@code berth status} and {@code berth wait-export} tell an export has finished. */
public interface ExportCheck
        extends AutoCloseable
{
    /**
     * Whether the run dir's {@code result.json} is in the bucket.
     *
     * @throws ExportCheckException when S3 cannot say (unreachable, access denied)
     */
    boolean exported(RunDirExport export);

    @Override
    void close();

    /** Opens the check a command needs, once it knows an export is configured. */
    @FunctionalInterface
    interface Opener
    {
        ExportCheck open(BerthConfig config);
    }
}
