package dev.berth.daemon;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Crash testing: when {@code BERTH_FAILPOINT} names one of the points below, the daemon halts the
 * JVM there (no shutdown hooks, as with SIGKILL) the n-th time it passes it ({@code name:n}, default
 * the first). Each point sits in a window between two durable steps that a real crash can hit but
 * a test could not aim for by timing alone. Unset, every point is a no-op.
 */
final class FailPoints
{
    /** A job is stored, its message not yet deleted. */
    static final String AFTER_STORE = "after-store";
    /** A job's checkout is in place, its attempt not yet recorded. */
    static final String AFTER_CHECKOUT = "after-checkout";
    /** An attempt is recorded, its service not yet created. */
    static final String BEFORE_CREATE = "before-create";
    /** A service exists, berth has not yet recorded that it does. */
    static final String AFTER_CREATE = "after-create";
    /** A result is stored, its files not written and its service not removed. */
    static final String AFTER_RESULT = "after-result";

    private final Optional<String> armed;
    private final int passes;
    private final AtomicInteger seen = new AtomicInteger();

    private FailPoints(Optional<String> armed, int passes)
    {
        this.armed = armed;
        this.passes = passes;
    }

    static FailPoints none()
    {
        return new FailPoints(Optional.empty(), 0);
    }

    static FailPoints parse(Optional<String> setting)
    {
        if (setting.isEmpty()) {
            return none();
        }
        String[] parts = setting.get().split(":", 2);
        return new FailPoints(Optional.of(parts[0]), parts.length == 2 ? Integer.parseInt(parts[1]) : 1);
    }

    void reach(String point)
    {
        if (armed.isPresent() && armed.get().equals(point) && seen.incrementAndGet() == passes) {
            System.err.println("berth: halting at fail point " + point);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
