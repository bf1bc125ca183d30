package dev.berth.web.dashboard;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The jobs page: the filter as the form shows it, counts by state, one page of rows, and the links to
 * the pages around it ({@code newestHref} when this page is not the newest). {@code liveHref} is the same page's table alone, fetched again whenever the
 * store changes after {@code marker} (see {@link JobsFeed}).
 */
public record JobsView(
        String name,
        String repo,
        String user,
        List<Choice> states,
        List<Choice> counts,
        List<JobRow> rows,
        Optional<String> newerHref,
        Optional<String> olderHref,
        Optional<String> newestHref,
        String liveHref,
        long marker)
{
    public JobsView
    {
        requireNonNull(name, "name is null");
        requireNonNull(repo, "repo is null");
        requireNonNull(user, "user is null");
        states = List.copyOf(states);
        counts = List.copyOf(counts);
        rows = List.copyOf(rows);
        requireNonNull(newerHref, "newerHref is null");
        requireNonNull(olderHref, "olderHref is null");
        requireNonNull(newestHref, "newestHref is null");
        requireNonNull(liveHref, "liveHref is null");
    }

    /** One option of a choice on the page: a state in the form's list, or a state's count as a link to its jobs. */
    public record Choice(String value, String label, String href, boolean chosen)
    {
        public Choice
        {
            requireNonNull(value, "value is null");
            requireNonNull(label, "label is null");
            requireNonNull(href, "href is null");
        }
    }
}
