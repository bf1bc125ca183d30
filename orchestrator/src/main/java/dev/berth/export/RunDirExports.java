package dev.berth.export;

import dev.berth.config.BerthConfig;
import dev.berth.config.ExportLocation;

import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Maps run dirs to where the file system's automatic export puts them, when an export is configured
 * ({@code BERTH_EXPORT_S3}); without one, no run dir has an S3 location.
 */
public final class RunDirExports
{
    private final Path runsDir;
    private final Optional<ExportLocation> location;

    public RunDirExports(Path runsDir, Optional<ExportLocation> location)
    {
        this.runsDir = requireNonNull(runsDir, "runsDir is null").toAbsolutePath().normalize();
        this.location = requireNonNull(location, "location is null");
    }

    public static RunDirExports of(BerthConfig config)
    {
        return new RunDirExports(config.runsDir(), config.exportS3());
    }

    public boolean configured()
    {
        return location.isPresent();
    }

    /** The run dir's S3 location; empty without an export, or for a dir that is not one of the run-dir tree's. */
    public Optional<RunDirExport> of(Path runDir)
    {
        if (location.isEmpty()) {
            return Optional.empty();
        }
        Path normalized = runDir.toAbsolutePath().normalize();
        if (!runsDir.equals(normalized.getParent())) {
            return Optional.empty();
        }
        return Optional.of(new RunDirExport(location.get().bucket(), location.get().keyOf(normalized.getFileName().toString())));
    }
}
