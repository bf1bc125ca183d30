package dev.berth.top;

/** A key pressed in {@code berth top}, as the terminal's input decodes it: a named key, or a character typed. */
public sealed interface Key
        permits Key.Named, Key.Typed
{
    enum Named
            implements Key
    {
        UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END, ENTER, ESCAPE, BACKSPACE, TAB,
        /** Ctrl-C: the terminal is in raw mode, so it arrives as a key instead of a signal, and top quits as with q. */
        INTERRUPT,
        /** A sequence no binding knows, such as a function key: ignored. */
        UNKNOWN
    }

    /** A character typed, as a code point. */
    record Typed(int codePoint)
            implements Key
    {
        public boolean is(char character)
        {
            return codePoint == character;
        }
    }

    static Key typed(char character)
    {
        return new Typed(character);
    }
}
