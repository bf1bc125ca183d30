package dev.berth.cli;

import dev.berth.job.ArraySummary;
import dev.berth.store.ArrayReads;
import dev.berth.time.Sleeper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/** Follows an array as a whole, as {@link JobFollower} follows one job: for {@code submit --wait} and {@code cancel} of an array. */
final class ArrayFollower
{
    private final ArrayReads arrays;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration interval;

    ArrayFollower(ArrayReads arrays, Clock clock, Sleeper sleeper, Duration interval)
    {
        this.arrays = requireNonNull(arrays, "arrays is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.interval = requireNonNull(interval, "interval is null");
    }

    /** The array once it is in the store (the daemon has taken it off the queue); empty when {@code patience} ran out first. */
    Optional<ArraySummary> awaitArray(String arrayId, Duration patience)
            throws InterruptedException
    {
        Instant start = clock.instant();
        while (true) {
            Optional<ArraySummary> array = arrays.array(arrayId);
            if (array.isPresent() || Duration.between(start, clock.instant()).compareTo(patience) >= 0) {
                return array;
            }
            sleeper.sleep(interval);
        }
    }

    /**
     * Looks at the array every interval, handing each look to {@code look}, until every task has ended (the array is
     * returned, after its last look) or {@code patience} runs out (empty).
     */
    Optional<ArraySummary> awaitEnd(String arrayId, Duration patience, Consumer<ArraySummary> look)
            throws InterruptedException
    {
        Instant start = clock.instant();
        while (Duration.between(start, clock.instant()).compareTo(patience) < 0) {
            ArraySummary array = arrays.array(arrayId).orElseThrow();
            look.accept(array);
            if (array.state().terminal()) {
                return Optional.of(array);
            }
            sleeper.sleep(interval);
        }
        return Optional.empty();
    }
}
