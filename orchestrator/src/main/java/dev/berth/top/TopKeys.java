package dev.berth.top;

import dev.berth.top.TopSnapshot.JobLine;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What each key does in {@code berth top}: a pure step from one {@link TopView} to the next, with what
 * the caller must do about it (quit, cancel a job). The keys are htop's and less's where those have one:
 * arrows or j/k to pick, / to filter, Enter to open, Esc or q to go back, q to quit.
 */
public final class TopKeys
{
    /** What a key asks the caller to do beyond showing the next view. */
    public sealed interface Action
            permits Quit, Cancel {}

    /** Leave top, putting the terminal back as it was. */
    public record Quit()
            implements Action {}

    /** Cancel this job, as {@code berth cancel} does; its answer goes on the view's last line. */
    public record Cancel(String jobId)
            implements Action
    {
        public Cancel
        {
            requireNonNull(jobId, "jobId is null");
        }
    }

    public record Step(TopView view, Optional<Action> action)
    {
        public Step
        {
            requireNonNull(view, "view is null");
            requireNonNull(action, "action is null");
        }

        static Step to(TopView view)
        {
            return new Step(view, Optional.empty());
        }
    }

    private static final Step QUIT_STEP = new Step(TopView.start(), Optional.of(new Quit()));

    private TopKeys() {}

    /**
     * The step {@code key} takes from {@code view}, with the jobs of {@code snapshot} on the screen;
     * {@code page} is how many rows a page key moves.
     */
    public static Step press(TopView view, Key key, TopSnapshot snapshot, int page)
    {
        requireNonNull(view, "view is null");
        requireNonNull(key, "key is null");
        requireNonNull(snapshot, "snapshot is null");
        if (key == Key.Named.INTERRUPT) {
            return QUIT_STEP;
        }
        TopView current = view.withoutMessage();
        if (current.confirming().isPresent()) {
            return confirming(current, key);
        }
        if (current.following().isPresent()) {
            return following(current, key, snapshot, page);
        }
        if (current.editingFilter()) {
            return editingFilter(current, key, snapshot, page);
        }
        return jobs(current, key, snapshot, page);
    }

    private static Step jobs(TopView view, Key key, TopSnapshot snapshot, int page)
    {
        List<JobLine> visible = view.visible(snapshot);
        if (key instanceof Key.Typed typed) {
            if (typed.is('q')) {
                return QUIT_STEP;
            }
            if (typed.is('/') || typed.is('f')) {
                return Step.to(view.withFilter(view.filter(), true));
            }
            if (typed.is('c')) {
                return Step.to(view.picked(visible).map(job -> askToCancel(view, job)).orElseGet(() -> view.withMessage("no job to cancel")));
            }
        }
        if (key == Key.Named.ENTER) {
            return Step.to(view.picked(visible).map(job -> view.withFollowing(Optional.of(job.id())))
                    .orElseGet(() -> view.withMessage("no job to follow")));
        }
        if (key == Key.Named.ESCAPE) {
            return Step.to(view.withFilter("", false));
        }
        return Step.to(moved(view, key, visible, page));
    }

    private static Step editingFilter(TopView view, Key key, TopSnapshot snapshot, int page)
    {
        String filter = view.filter();
        if (key instanceof Key.Typed typed && typed.codePoint() >= ' ') {
            return Step.to(view.withFilter(filter + Character.toString(typed.codePoint()), true));
        }
        if (key == Key.Named.BACKSPACE) {
            return Step.to(view.withFilter(filter.isEmpty() ? "" : filter.substring(0, filter.offsetByCodePoints(filter.length(), -1)), true));
        }
        if (key == Key.Named.ENTER) {
            return Step.to(view.withFilter(filter, false));
        }
        if (key == Key.Named.ESCAPE) {
            return Step.to(view.withFilter("", false));
        }
        return Step.to(moved(view, key, view.visible(snapshot), page));
    }

    private static Step following(TopView view, Key key, TopSnapshot snapshot, int page)
    {
        String id = view.following().orElseThrow();
        if (key instanceof Key.Typed typed) {
            if (typed.is('q')) {
                return Step.to(view.withFollowing(Optional.empty()));
            }
            if (typed.is('s')) {
                return Step.to(view.withStream(view.stream().other()));
            }
            if (typed.is('c')) {
                Optional<JobLine> job = snapshot.job(id);
                return Step.to(job.map(line -> askToCancel(view, line)).orElseGet(() -> view.withMessage("job " + id + " is not running; nothing to cancel")));
            }
            if (typed.is('k')) {
                return Step.to(view.withScroll(view.scroll() + 1));
            }
            if (typed.is('j')) {
                return Step.to(view.withScroll(view.scroll() - 1));
            }
            if (typed.is('g')) {
                return Step.to(view.withScroll(Integer.MAX_VALUE));
            }
            if (typed.is('G')) {
                return Step.to(view.withScroll(0));
            }
            return Step.to(view);
        }
        return Step.to(switch ((Key.Named) key) {
            case ESCAPE -> view.withFollowing(Optional.empty());
            case TAB -> view.withStream(view.stream().other());
            case UP -> view.withScroll(view.scroll() + 1);
            case DOWN -> view.withScroll(view.scroll() - 1);
            case PAGE_UP -> view.withScroll(view.scroll() + page);
            case PAGE_DOWN -> view.withScroll(view.scroll() - page);
            case HOME -> view.withScroll(Integer.MAX_VALUE);
            case END -> view.withScroll(0);
            default -> view;
        });
    }

    private static Step confirming(TopView view, Key key)
    {
        String id = view.confirming().orElseThrow();
        if (key instanceof Key.Typed typed && (typed.is('y') || typed.is('Y'))) {
            return new Step(view.withConfirming(Optional.empty()), Optional.of(new Cancel(id)));
        }
        boolean no = key == Key.Named.ESCAPE
                || (key instanceof Key.Typed typed && (typed.is('n') || typed.is('N') || typed.is('q')));
        if (no) {
            return Step.to(view.withConfirming(Optional.empty()).withMessage("job " + id + " not cancelled"));
        }
        // Any other key leaves the question open: a stray key must neither cancel the job nor lose the question
        return Step.to(view);
    }

    /** Asks to confirm a cancel, unless there is nothing to cancel. */
    private static TopView askToCancel(TopView view, JobLine job)
    {
        if (job.state().terminal()) {
            return view.withMessage("job " + job.id() + " already ended as " + job.state() + "; nothing to cancel");
        }
        if (job.cancelRequested()) {
            return view.withMessage("job " + job.id() + " is already being cancelled");
        }
        return view.withConfirming(Optional.of(job.id()));
    }

    /** The view with the pick moved by an arrow, page, home or end key (j/k too); any other key changes nothing. */
    private static TopView moved(TopView view, Key key, List<JobLine> visible, int page)
    {
        if (visible.isEmpty()) {
            return view;
        }
        int at = view.picked(visible).map(visible::indexOf).orElse(0);
        int to = at;
        if (key instanceof Key.Named named) {
            to = switch (named) {
                case UP -> at - 1;
                case DOWN -> at + 1;
                case PAGE_UP -> at - page;
                case PAGE_DOWN -> at + page;
                case HOME -> 0;
                case END -> visible.size() - 1;
                default -> at;
            };
        }
        // Typed while editing the filter, these letters are part of it (handled before this)
        else if (key instanceof Key.Typed typed && !view.editingFilter()) {
            to = switch (typed.codePoint()) {
                case 'k' -> at - 1;
                case 'j' -> at + 1;
                case 'g' -> 0;
                case 'G' -> visible.size() - 1;
                default -> at;
            };
        }
        int clamped = Math.max(0, Math.min(visible.size() - 1, to));
        return view.withSelected(visible.get(clamped).id());
    }
}
