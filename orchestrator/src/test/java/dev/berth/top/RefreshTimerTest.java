package dev.berth.top;

import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RefreshTimerTest
{
    private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void theFirstReadIsDueAtOnceAndEachNextAnIntervalAfterTheLast()
    {
        RefreshTimer timer = new RefreshTimer(clock, Duration.ofSeconds(1));
        assertThat(timer.due()).isTrue();

        timer.refreshed();
        clock.advance(Duration.ofMillis(400));

        assertThat(timer.due()).isFalse();
        assertThat(timer.untilDue()).isEqualTo(Duration.ofMillis(600));
        clock.advance(Duration.ofMillis(600));
        assertThat(timer.due()).isTrue();
    }

    @Test
    void aSlowReadDoesNotMakeReadsPileUp()
    {
        RefreshTimer timer = new RefreshTimer(clock, Duration.ofSeconds(1));
        timer.refreshed();
        // The engine took five intervals to answer
        clock.advance(Duration.ofSeconds(5));
        assertThat(timer.due()).isTrue();

        timer.refreshed();

        assertThat(timer.due()).isFalse();
        assertThat(timer.untilDue()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void anIntervalMustBePositive()
    {
        assertThatThrownBy(() -> new RefreshTimer(clock, Duration.ZERO)).hasMessageContaining("interval must be positive");
    }
}
