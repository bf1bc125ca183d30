package dev.berth.job;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * An array's range as Slurm writes it, {@code FIRST-LAST[:STEP][%LIMIT]}: one task for each index from
 * {@code first} to {@code last} in steps of {@code step}, and at most {@code limit} of them live (queued or
 * running) at once when a limit is given.
 */
public record ArraySpec(int first, int last, int step, Optional<Integer> limit)
{
    /**
     * The most tasks one array may have: a sweep's size, and a bound on what one request writes to the store
     * in one transaction (about a second for the largest).
     */
    public static final int MAX_TASKS = 10_000;
    /** The highest index: five digits, so that a task's id (the array's, '_' and the index) stays a short name. */
    public static final int MAX_INDEX = 99_999;
    /** What {@link #parse} accepts, for an error that says it. */
    public static final String FORM = "FIRST-LAST[:STEP][%LIMIT], such as 0-99, 0-99:2 or 0-99%10 (indices 0-" + MAX_INDEX
            + ", at most " + MAX_TASKS + " tasks)";

    private static final Pattern RANGE = Pattern.compile("(\\d{1,9})-(\\d{1,9})(?::(\\d{1,9}))?(?:%(\\d{1,9}))?");

    public ArraySpec
    {
        if (first < 0 || last < first || last > MAX_INDEX || step < 1 || limit.filter(value -> value < 1).isPresent()) {
            throw new IllegalArgumentException("not an array range: " + first + "-" + last + ":" + step + " " + limit);
        }
        if (size(first, last, step) > MAX_TASKS) {
            throw new IllegalArgumentException("array of " + size(first, last, step) + " tasks: the limit is " + MAX_TASKS);
        }
    }

    /**
     * The range {@code text} gives, or why it gives none: the text quoted, what is wrong, and the form accepted.
     *
     * @param where what the text is, for the message: {@code "array"}, {@code "--array"}
     */
    public static ArraySpec parse(String where, String text)
            throws BadRange
    {
        Matcher matcher = RANGE.matcher(text);
        if (!matcher.matches()) {
            throw new BadRange(where + " '" + RequestFields.abbreviate(text) + "' is not a range: expected " + FORM);
        }
        int first = Integer.parseInt(matcher.group(1));
        int last = Integer.parseInt(matcher.group(2));
        int step = matcher.group(3) == null ? 1 : Integer.parseInt(matcher.group(3));
        Optional<Integer> limit = Optional.ofNullable(matcher.group(4)).map(Integer::valueOf);
        String problem = null;
        if (last < first) {
            problem = "its last index " + last + " is below its first " + first;
        }
        else if (last > MAX_INDEX) {
            problem = "its last index " + last + " is over " + MAX_INDEX;
        }
        else if (step < 1) {
            problem = "its step must be at least 1";
        }
        else if (limit.filter(value -> value < 1).isPresent()) {
            problem = "its %LIMIT must be at least 1";
        }
        else if (size(first, last, step) > MAX_TASKS) {
            problem = "it makes " + size(first, last, step) + " tasks; the limit is " + MAX_TASKS + " (submit several arrays, or use a STEP)";
        }
        if (problem != null) {
            throw new BadRange(where + " '" + text + "' is not valid: " + problem + "; expected " + FORM);
        }
        return new ArraySpec(first, last, step, limit);
    }

    /** How many tasks the array has. */
    public int size()
    {
        return (int) size(first, last, step);
    }

    /** The tasks' indices, lowest first. */
    public IntStream indices()
    {
        return IntStream.iterate(first, index -> index <= last, index -> index + step);
    }

    /** The range without its limit, as a listing shows it after the array's name: {@code 0-99} or {@code 0-99:2}. */
    public String range()
    {
        return first + "-" + last + (step == 1 ? "" : ":" + step);
    }

    /** As {@link #parse} reads it back. */
    @Override
    public String toString()
    {
        return range() + limit.map(value -> "%" + value).orElse("");
    }

    private static long size(int first, int last, int step)
    {
        return last < first ? 0 : (((long) last - first) / step) + 1;
    }

    /** A range that is not one, with what is wrong with it. */
    public static final class BadRange
            extends Exception
    {
        public BadRange(String message)
        {
            super(message);
        }
    }
}
