package dev.berth.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SizesTest
{
    @Test
    void readsBytesAndBinaryUnits()
    {
        assertThat(Sizes.parse("1048576")).contains(1L << 20);
        assertThat(Sizes.parse("512m")).contains(512L << 20);
        assertThat(Sizes.parse(" 16G ")).contains(16L << 30);
        assertThat(Sizes.parse("2tb")).contains(2L << 40);
    }

    @Test
    void refusesAnythingElse()
    {
        assertThat(Sizes.parse("-1g")).isEmpty();
        assertThat(Sizes.parse("lots")).isEmpty();
        assertThat(Sizes.parse("1.5g")).isEmpty();
        assertThat(Sizes.parse("999999999999t")).as("past a long").isEmpty();
    }

    @Test
    void writesTheLargestUnitThatDividesExactly()
    {
        assertThat(Sizes.format(16L << 30)).isEqualTo("16g");
        assertThat(Sizes.format(1536L << 20)).isEqualTo("1536m");
        assertThat(Sizes.format(100)).isEqualTo("100");
    }

    @Test
    void writesSizesForPeopleToRead()
    {
        assertThat(Sizes.readable(3)).isEqualTo("3 B");
        assertThat(Sizes.readable(1023)).isEqualTo("1023 B");
        assertThat(Sizes.readable(1536)).isEqualTo("1.50 KiB");
        assertThat(Sizes.readable((long) (12.34 * (1L << 30)))).isEqualTo("12.3 GiB");
        assertThat(Sizes.readable(700L << 20)).isEqualTo("700 MiB");
        assertThat(Sizes.readable(Long.MAX_VALUE)).isEqualTo("8.00 EiB");
    }
}
