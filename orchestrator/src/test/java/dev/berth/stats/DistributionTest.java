package dev.berth.stats;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Median, p95 and longest of sets a person can check, and of many sets with repeated values against a sort. */
class DistributionTest
{
    @Test
    void oneValueIsItsOwnMedianP95AndLongest()
    {
        Distribution one = Distribution.of(new long[] {42_000});

        assertThat(one.count()).isEqualTo(1);
        assertThat(one.median()).contains(Duration.ofSeconds(42));
        assertThat(one.p95()).contains(Duration.ofSeconds(42));
        assertThat(one.max()).contains(Duration.ofSeconds(42));
        assertThat(one.histogram()).singleElement().satisfies(bin -> {
            assertThat(bin.from()).isEqualTo(Duration.ofSeconds(30));
            assertThat(bin.upTo()).contains(Duration.ofMinutes(1));
            assertThat(bin.count()).isEqualTo(1);
        });
    }

    @Test
    void twentyValuesHaveTheTenthAsMedianAndTheNineteenthAsP95()
    {
        // 20 to 1 seconds, in reverse
        long[] values = new long[20];
        for (int i = 0; i < 20; i++) {
            values[i] = (20 - i) * 1000L;
        }

        Distribution distribution = Distribution.of(values);

        assertThat(distribution.median()).contains(Duration.ofSeconds(10));
        assertThat(distribution.p95()).contains(Duration.ofSeconds(19));
        assertThat(distribution.max()).contains(Duration.ofSeconds(20));
    }

    @Test
    void manyRepeatedValuesAgreeWithASort()
    {
        Random random = new Random(5);
        for (int round = 0; round < 300; round++) {
            long[] values = new long[1 + random.nextInt(400)];
            int spread = 1 + random.nextInt(20);
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextInt(spread) * 1000L;
            }
            long[] sorted = values.clone();
            Arrays.sort(sorted);

            Distribution distribution = Distribution.of(values);

            int n = sorted.length;
            assertThat(distribution.median()).as("%s", Arrays.toString(sorted)).contains(Duration.ofMillis(sorted[(n + 1) / 2 - 1]));
            assertThat(distribution.p95()).as("%s", Arrays.toString(sorted)).contains(Duration.ofMillis(sorted[(int) Math.ceil(0.95 * n) - 1]));
            assertThat(distribution.max()).contains(Duration.ofMillis(sorted[n - 1]));
        }
    }
}
