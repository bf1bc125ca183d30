package dev.berth.top;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalTextTest
{
    @Test
    void escapeSequencesShowAsTextAndNeverReachTheTerminal()
    {
        // Clear the screen, set the window title, move the cursor home, ring the bell
        String hostile = "job\u001b[2J\u001b]0;owned\u0007\u001b[H\u0000";

        String clean = TerminalText.clean(hostile);

        assertThat(clean).isEqualTo("job^[[2J^[]0;owned^G^[[H^@");
        assertThat(clean.chars()).noneMatch(character -> character < 0x20 || character == 0x7f);
    }

    @Test
    void eightBitControlsAndDeleteAreShownToo()
    {
        // U+009B is CSI on a terminal that reads 8-bit controls: the same as ESC [
        assertThat(TerminalText.clean("a\u009b2Jb\u0085c\u007fd")).isEqualTo("a\\x9b2Jb\\x85c^?d");
    }

    @Test
    void bidirectionalOverridesAndLineSeparatorsAreShownAsCodePoints()
    {
        assertThat(TerminalText.clean("invoice\u202Etxt.exe\u2028next")).isEqualTo("invoice<U+202E>txt.exe<U+2028>next");
    }

    @Test
    void textWithoutControlsIsLeftAsItIs()
    {
        String plain = "train-résumé 日本 ✓";

        assertThat(TerminalText.clean(plain)).isSameAs(plain);
    }

    @Test
    void aTabIsOneSpaceInACellAndReachesTheNextStopInALine()
    {
        assertThat(TerminalText.clean("a\tb")).isEqualTo("a b");
        assertThat(TerminalText.cleanLine("ab\tc\td")).isEqualTo("ab      c       d");
        assertThat(TerminalText.cleanLine("日本\tx")).as("wide characters take two columns each").isEqualTo("日本    x");
    }

    @Test
    void widthCountsColumnsAsTheTerminalDoes()
    {
        assertThat(TerminalText.width("abc")).isEqualTo(3);
        assertThat(TerminalText.width("日本")).isEqualTo(4);
        assertThat(TerminalText.width("e\u0301")).as("a combining accent takes no column").isEqualTo(1);
    }

    @Test
    void cuttingKeepsWithinTheColumnsAndSaysTextWasCut()
    {
        assertThat(TerminalText.cut("abcdef", 6)).isEqualTo("abcdef");
        assertThat(TerminalText.cut("abcdefg", 6)).isEqualTo("abcde…");
        // 日本語 is six columns: in five, two characters and the ellipsis, never half of a wide one
        assertThat(TerminalText.cut("日本語", 5)).isEqualTo("日本…");
        assertThat(TerminalText.cut("日本語", 4)).isEqualTo("日…");
        assertThat(TerminalText.cut("abc", 0)).isEmpty();
        assertThat(TerminalText.pad("ab", 4)).isEqualTo("ab  ");
        assertThat(TerminalText.pad("日本語", 5)).isEqualTo("日本…");
    }
}
