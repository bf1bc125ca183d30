package dev.berth.rundir;

import static java.util.Objects.requireNonNull;

/**
 * What one read of a job's log gave: whole characters only.
 *
 * @param nextOffset where the next read starts, in bytes
 * @param size the file's size when it was read, in bytes
 */
public record LogRead(String text, long nextOffset, long size)
{
    public LogRead
    {
        requireNonNull(text, "text is null");
    }

    /** The read reached what the file held, so asking again returns only what is written from now on. */
    public boolean atEnd()
    {
        return nextOffset >= size;
    }
}
