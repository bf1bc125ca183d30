package dev.berth.time;

/**
 * Elapsed time in nanoseconds from an arbitrary origin, for deadlines and intervals that must not
 * jump with the wall clock. The daemon and the CLI read time only through this and
 * {@link java.time.Clock}, so tests can move it by hand.
 */
@FunctionalInterface
public interface Ticker
{
    long read();

    static Ticker system()
    {
        return System::nanoTime;
    }
}
