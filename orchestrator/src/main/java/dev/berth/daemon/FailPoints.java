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
    /** A result is stored with its result files (written inside the store's transaction), its service not yet removed. */
    static final String AFTER_RESULT = "after-result";

    private final Optional<String> armed;
    private final int passes;
    private final Runnable halt;
    private final AtomicInteger seen = new AtomicInteger();

    private FailPoints(Optional<String> armed, int passes, Runnable halt)
    {
        this.armed = armed;
        this.passes = passes;
        this.halt = halt;
    }

    static FailPoints none()
    {
        return new FailPoints(Optional.empty(), 0, () -> {});
    }

    /** Runs {@code crash} at the first pass of {@code point}: a test's way to stop the daemon in exactly that window. */
    static FailPoints at(String point, Runnable crash)
    {
        return new FailPoints(Optional.of(point), 1, crash);
    }

    static FailPoints parse(Optional<String> setting)
    {
        if (setting.isEmpty()) {
            return none();
        }
        String[] parts = setting.get().split(":", 2);
        return new FailPoints(Optional.of(parts[0]), parts.length == 2 ? Integer.parseInt(parts[1]) : 1, () -> {
            System.err.println("berth: halting at fail point " + parts[0]);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        });
    }

    void reach(String point)
    {
        if (armed.isPresent() && armed.get().equals(point) && seen.incrementAndGet() == passes) {
            halt.run();
        }
    }
}
