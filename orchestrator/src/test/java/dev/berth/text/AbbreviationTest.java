package dev.berth.text;

import org.junit.jupiter.api.Test;

import static dev.berth.text.Abbreviation.abbreviate;
import static org.assertj.core.api.Assertions.assertThat;

class AbbreviationTest
{
    @Test
    void textThatFitsIsKeptWhole()
    {
        assertThat(abbreviate("", 3)).isEmpty();
        assertThat(abbreviate("abc", 3)).isEqualTo("abc");
    }

    @Test
    void longerTextEndsInAnEllipsisWithinTheLength()
    {
        assertThat(abbreviate("abcd", 3)).isEqualTo("ab…").hasSize(3);
        assertThat(abbreviate("abcd", 1)).isEqualTo("…");
    }
}
