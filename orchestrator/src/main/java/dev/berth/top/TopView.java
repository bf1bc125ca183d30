package dev.berth.top;

import dev.berth.top.TopSnapshot.JobLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the person at {@code berth top} has chosen to see, apart from the data: the filter (and whether
 * they are typing it), the job picked, the job whose log they follow, which output and how far back, the
 * job they are asked to confirm a cancel of, and a one-line message. {@link TopKeys} moves it from key to
 * key; the job picked is kept by id, so it stays picked as rows come and go between refreshes.
 *
 * @param scroll lines back from the end of the log; 0 follows the end as it grows
 */
public record TopView(
        String filter,
        boolean editingFilter,
        Optional<String> selected,
        Optional<String> following,
        LogStream stream,
        int scroll,
        Optional<String> confirming,
        Optional<String> message)
{
    public TopView
    {
        requireNonNull(filter, "filter is null");
        requireNonNull(selected, "selected is null");
        requireNonNull(following, "following is null");
        requireNonNull(stream, "stream is null");
        requireNonNull(confirming, "confirming is null");
        requireNonNull(message, "message is null");
        if (scroll < 0) {
            throw new IllegalArgumentException("scroll must not be negative: " + scroll);
        }
    }

    /** The view top opens with: every job, the first one picked, no log. */
    public static TopView start()
    {
        return new TopView("", false, Optional.empty(), Optional.empty(), LogStream.STDOUT, 0, Optional.empty(), Optional.empty());
    }

    /** The live jobs and then the failures that match the filter, in the order the screen lists them. */
    public List<JobLine> visible(TopSnapshot snapshot)
    {
        List<JobLine> visible = new ArrayList<>(visibleLive(snapshot));
        visible.addAll(visibleFailures(snapshot));
        return visible;
    }

    public List<JobLine> visibleLive(TopSnapshot snapshot)
    {
        return filtered(snapshot.live());
    }

    public List<JobLine> visibleFailures(TopSnapshot snapshot)
    {
        return filtered(snapshot.failures());
    }

    private List<JobLine> filtered(List<JobLine> lines)
    {
        if (filter.isEmpty()) {
            return lines;
        }
        String text = filter.toLowerCase(Locale.ROOT);
        return lines.stream().filter(line -> line.matches(text)).toList();
    }

    /** The job picked among {@code visible}: the one chosen while it is still listed, else the first. */
    public Optional<JobLine> picked(List<JobLine> visible)
    {
        return selected.flatMap(id -> visible.stream().filter(line -> line.id().equals(id)).findFirst())
                .or(() -> visible.stream().findFirst());
    }

    TopView withFilter(String filter, boolean editing)
    {
        return new TopView(filter, editing, selected, following, stream, scroll, confirming, message);
    }

    TopView withSelected(String id)
    {
        return new TopView(filter, editingFilter, Optional.of(id), following, stream, scroll, confirming, message);
    }

    TopView withFollowing(Optional<String> id)
    {
        return new TopView(filter, editingFilter, selected, id, LogStream.STDOUT, 0, confirming, message);
    }

    TopView withStream(LogStream stream)
    {
        return new TopView(filter, editingFilter, selected, following, stream, 0, confirming, message);
    }

    TopView withScroll(int scroll)
    {
        return new TopView(filter, editingFilter, selected, following, stream, Math.max(0, scroll), confirming, message);
    }

    TopView withConfirming(Optional<String> id)
    {
        return new TopView(filter, editingFilter, selected, following, stream, scroll, id, message);
    }

    /** This view with {@code message} on its last line until the next key. */
    public TopView withMessage(String message)
    {
        return new TopView(filter, editingFilter, selected, following, stream, scroll, confirming, Optional.of(message));
    }

    TopView withoutMessage()
    {
        return message.isEmpty() ? this : new TopView(filter, editingFilter, selected, following, stream, scroll, confirming, Optional.empty());
    }
}
