package dev.berth.rundir;

import java.io.IOException;

/** A file in a run dir that berth will not read or write: a link (or a device, a pipe) where a job's own file should be. */
public final class UnsafeRunDirException
        extends IOException
{
    public UnsafeRunDirException(String message)
    {
        super(message);
    }
}
