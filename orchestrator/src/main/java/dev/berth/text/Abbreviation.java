package dev.berth.text;

/** Shortens text shown to users (in tables, details and error messages) to a length they can read on one line. */
public final class Abbreviation
{
    private static final String ELLIPSIS = "…";

    private Abbreviation() {}

    /** {@code text} itself when it has at most {@code length} characters, else its start and '…', {@code length} characters in all. */
    public static String abbreviate(String text, int length)
    {
        if (length < 1) {
            throw new IllegalArgumentException("length must be at least 1: " + length);
        }
        return text.length() <= length ? text : text.substring(0, length - ELLIPSIS.length()) + ELLIPSIS;
    }
}
