package dev.berth.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * Whether new attempts see their commit through an overlay of its shared snapshot, or get a full checkout
 * of their own as before snapshots. Once one worker could not mount an overlay, every later attempt gets a
 * full checkout until berth restarts: placement picks the node after preparation, so berth cannot tell
 * beforehand which node could mount one. Said once in the log, with the reason.
 */
final class WorkDirMode
{
    private static final Logger log = LoggerFactory.getLogger(WorkDirMode.class);

    private final AtomicReference<Optional<String>> fullCheckoutsBecause;

    private WorkDirMode(Optional<String> fullCheckoutsBecause)
    {
        this.fullCheckoutsBecause = new AtomicReference<>(requireNonNull(fullCheckoutsBecause, "fullCheckoutsBecause is null"));
    }

    static WorkDirMode overlays()
    {
        return new WorkDirMode(Optional.empty());
    }

    static WorkDirMode fullCheckouts(String because)
    {
        log.info("Every attempt gets a full checkout of its commit: {}", because);
        return new WorkDirMode(Optional.of(because));
    }

    boolean overlaysOn()
    {
        return fullCheckoutsBecause.get().isEmpty();
    }

    /** From now on attempts get full checkouts; the first call logs why. */
    void fallBack(String because)
    {
        if (fullCheckoutsBecause.compareAndSet(Optional.empty(), Optional.of(because))) {
            log.warn("Falling back to a full checkout for every attempt from now on: {}. A worker needs kernel overlay support "
                    + "and the shared dir mounted where the manager has it; see docs/architecture.md", because);
        }
    }
}
