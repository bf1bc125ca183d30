package dev.berth.store;

import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** A job removed from the store, and its run dir if it had one, which the caller may remove too. */
public record PurgedJob(String id, Optional<Path> runDir)
{
    public PurgedJob
    {
        requireNonNull(id, "id is null");
        requireNonNull(runDir, "runDir is null");
    }
}
