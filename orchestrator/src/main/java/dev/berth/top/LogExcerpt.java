package dev.berth.top;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** The end of a job's output as the log view shows it: its lines, each attempt's under a heading when there were several. */
public record LogExcerpt(List<Line> lines)
{
    public LogExcerpt
    {
        lines = List.copyOf(lines);
    }

    public enum Kind
    {
        /** A line the job wrote. */
        OUTPUT,
        /** Which attempt the lines below come from. */
        HEADING,
        /** berth's word on what it cannot show: no output yet, a file it will not read. */
        NOTE
    }

    /** One line as read, not yet made safe for a terminal: the screen cleans it. */
    public record Line(Kind kind, String text)
    {
        public Line
        {
            requireNonNull(kind, "kind is null");
            requireNonNull(text, "text is null");
        }
    }

    static LogExcerpt note(String text)
    {
        return new LogExcerpt(List.of(new Line(Kind.NOTE, text)));
    }
}
