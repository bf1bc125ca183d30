package dev.berth.daemon;

import dev.berth.time.Ticker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * When the scheduling thread next runs: at once when woken (a job arrived, a preparation ended), and
 * at the latest when its next listing of Swarm is due, which a hand-over to Swarm brings forward.
 */
final class Wakeup
{
    private final Ticker ticker;
    private final Object lock = new Object();
    private boolean woken;
    /** When, by the ticker, the next round lists Swarm's tasks. */
    private long nextListing;

    Wakeup(Ticker ticker)
    {
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.nextListing = ticker.read();
    }

    /** Asks for a round now rather than at the next listing. */
    void wake()
    {
        synchronized (lock) {
            woken = true;
            lock.notifyAll();
        }
    }

    boolean listingDue()
    {
        synchronized (lock) {
            return ticker.read() - nextListing >= 0;
        }
    }

    /** After a listing: the next one in {@code interval}. */
    void listNextIn(Duration interval)
    {
        synchronized (lock) {
            nextListing = ticker.read() + interval.toNanos();
        }
    }

    /** Brings the next listing forward to no later than {@code within} from now. */
    void listWithin(Duration within)
    {
        synchronized (lock) {
            long soon = ticker.read() + within.toNanos();
            if (nextListing - soon > 0) {
                nextListing = soon;
            }
        }
    }

    /** Waits until woken or until the next listing is due, whichever comes first. */
    void await()
            throws InterruptedException
    {
        synchronized (lock) {
            long untilListing = nextListing - ticker.read();
            if (!woken && untilListing > 0) {
                TimeUnit.NANOSECONDS.timedWait(lock, untilListing);
            }
            woken = false;
        }
    }
}
