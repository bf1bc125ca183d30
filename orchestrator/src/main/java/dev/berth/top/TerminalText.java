package dev.berth.top;

import org.jline.utils.WCWidth;

/**
 * Text a job wrote (its name, its reason, its output) made safe to put on a terminal, and cut to a
 * number of columns. A control character reaching the terminal is an instruction to it: ESC starts
 * sequences that move the cursor, rewrite the title or the screen, even answer back into the input;
 * C1 characters (U+0080 to U+009F) do the same on terminals that read 8-bit controls. Each is shown
 * instead as a visible stand-in ({@code ^[}, {@code \x9b}), as {@code cat -v} does, so a hostile name
 * reads as what it is.
 */
final class TerminalText
{
    static final String ELLIPSIS = "…";
    private static final int TAB_STOP = 8;

    private TerminalText() {}

    /** {@code text} with every control character (and bidirectional override) replaced by a visible stand-in; a tab becomes a space. */
    static String clean(String text)
    {
        return clean(text, false);
    }

    /** A line of output: as {@link #clean}, with tabs expanded to the next multiple of eight columns, as a terminal shows them. */
    static String cleanLine(String line)
    {
        return clean(line, true);
    }

    private static String clean(String text, boolean expandTabs)
    {
        StringBuilder clean = null;
        int column = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int next = i + Character.charCount(codePoint);
            String replacement = replacement(codePoint, expandTabs ? TAB_STOP - column % TAB_STOP : 1);
            if (replacement != null && clean == null) {
                clean = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (clean != null) {
                if (replacement != null) {
                    clean.append(replacement);
                }
                else {
                    clean.appendCodePoint(codePoint);
                }
            }
            column += replacement != null ? replacement.length() : Math.max(0, WCWidth.wcwidth(codePoint));
            i = next;
        }
        return clean == null ? text : clean.toString();
    }

    /** What shows in place of {@code codePoint}, or null when it shows as itself. */
    private static String replacement(int codePoint, int tabWidth)
    {
        if (codePoint == '\t') {
            return " ".repeat(tabWidth);
        }
        if (codePoint < 0x20 || codePoint == 0x7f) {
            // ^@ .. ^_ and ^? as a terminal's own echo writes them: ESC is ^[
            return "^" + (char) (codePoint ^ 0x40);
        }
        if (codePoint >= 0x80 && codePoint <= 0x9f) {
            return "\\x" + Integer.toHexString(codePoint);
        }
        if (isLayoutControl(codePoint)) {
            return "<U+%04X>".formatted(codePoint);
        }
        return null;
    }

    /** Line and paragraph separators and the bidirectional controls, which make a line read as other text than it holds. */
    private static boolean isLayoutControl(int codePoint)
    {
        return codePoint == 0x2028 || codePoint == 0x2029 || codePoint == 0x061c || codePoint == 0x200e || codePoint == 0x200f
                || (codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069);
    }

    /** How many columns {@code text} (already clean) takes: two for a wide character, none for a combining one. */
    static int width(String text)
    {
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            width += Math.max(0, WCWidth.wcwidth(codePoint));
            i += Character.charCount(codePoint);
        }
        return width;
    }

    /** {@code text} (already clean) in at most {@code columns} columns: itself when it fits, else its start and '…'. */
    static String cut(String text, int columns)
    {
        if (columns <= 0) {
            return "";
        }
        if (width(text) <= columns) {
            return text;
        }
        return head(text, columns - 1) + ELLIPSIS;
    }

    /** {@code text} cut to {@code columns} and padded with spaces to exactly that many. */
    static String pad(String text, int columns)
    {
        String cut = cut(text, columns);
        return cut + " ".repeat(Math.max(0, columns - width(cut)));
    }

    /** The longest start of {@code text} that fits in {@code columns}; a wide character that would straddle the edge is left out. */
    private static String head(String text, int columns)
    {
        int width = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int next = width + Math.max(0, WCWidth.wcwidth(codePoint));
            if (next > columns) {
                break;
            }
            width = next;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }
}
