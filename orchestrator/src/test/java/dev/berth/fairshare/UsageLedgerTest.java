package dev.berth.fairshare;

import dev.berth.config.FairShare;
import dev.berth.job.Resources;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class UsageLedgerTest
{
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final FairShare POLICY = new FairShare(Duration.ofDays(1), 10, Map.of());

    @Test
    void aUseCountsInCpuHoursWithAGpuHourAsTenAndHalvesEveryHalfLife()
    {
        UsageLedger ledger = new UsageLedger(POLICY);
        ledger.charge("ada", new Resources(2, 1L << 30, 1), T0, T0.plus(Duration.ofHours(3)));

        Instant ended = T0.plus(Duration.ofHours(3));
        assertThat(ledger.usedHours("ada", ended)).isCloseTo(36, within(1e-9));
        assertThat(ledger.usedHours("ada", ended.plus(Duration.ofDays(1)))).isCloseTo(18, within(1e-9));
        assertThat(ledger.usedHours("ada", ended.plus(Duration.ofDays(2)))).isCloseTo(9, within(1e-9));
        assertThat(ledger.usedHours("grace", ended)).isZero();
    }

    @Test
    void usesChargedOutOfOrderAddUpAsInOrder()
    {
        Resources cpu = new Resources(1, 1L << 30, 0);
        UsageLedger inOrder = new UsageLedger(POLICY);
        inOrder.charge("ada", cpu, T0, T0.plus(Duration.ofHours(1)));
        inOrder.charge("ada", cpu, T0.plus(Duration.ofHours(5)), T0.plus(Duration.ofHours(9)));
        UsageLedger reversed = new UsageLedger(POLICY);
        reversed.charge("ada", cpu, T0.plus(Duration.ofHours(5)), T0.plus(Duration.ofHours(9)));
        reversed.charge("ada", cpu, T0, T0.plus(Duration.ofHours(1)));

        Instant later = T0.plus(Duration.ofHours(30));
        assertThat(reversed.usedHours("ada", later)).isCloseTo(inOrder.usedHours("ada", later), within(1e-9));
        assertThat(inOrder.usedHours("ada", T0.plus(Duration.ofHours(9)))).isCloseTo(4 + Math.pow(0.5, 8 / 24.0), within(1e-9));
    }

    @Test
    void aClockThatWentBackNeverMakesAUseCountMore()
    {
        UsageLedger ledger = new UsageLedger(POLICY);
        ledger.charge("ada", new Resources(1, 1L << 30, 0), T0, T0.plus(Duration.ofHours(2)));

        assertThat(ledger.usedHours("ada", T0)).isCloseTo(2, within(1e-9));
    }

    @Test
    void remembersTenHalfLivesBack()
    {
        assertThat(new UsageLedger(POLICY).rememberedSince(T0)).isEqualTo(T0.minus(Duration.ofDays(10)));
    }
}
