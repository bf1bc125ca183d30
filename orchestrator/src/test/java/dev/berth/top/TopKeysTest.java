package dev.berth.top;

import dev.berth.top.TopKeys.Step;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.berth.top.TopFixtures.failed;
import static dev.berth.top.TopFixtures.pending;
import static dev.berth.top.TopFixtures.running;
import static dev.berth.top.TopFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** Key sequences as a person types them, and where each leaves the view. */
class TopKeysTest
{
    private static final TopSnapshot SNAPSHOT = snapshot(
            List.of(running("train-a", "train", "gpu-1", 60), running("train-b", "train", "gpu-2", 30), pending("eval-c", "eval", 10)),
            List.of(failed("crash-d", "crash", "exited with code 3", 5)));

    @Test
    void theFirstJobIsPickedAndArrowsOrJAndKMoveThePickWithinTheList()
    {
        assertThat(picked(TopView.start())).isEqualTo("train-a");

        assertThat(picked(press(Key.Named.DOWN))).isEqualTo("train-b");
        assertThat(picked(press(Key.typed('j'), Key.typed('j')))).isEqualTo("eval-c");
        assertThat(picked(press(Key.typed('j'), Key.typed('j'), Key.typed('j'), Key.typed('j'), Key.typed('j'))))
                .as("past the live jobs into the failures, and no further").isEqualTo("crash-d");
        assertThat(picked(press(Key.Named.DOWN, Key.Named.UP, Key.typed('k'), Key.Named.UP))).isEqualTo("train-a");
        assertThat(picked(press(Key.Named.END))).isEqualTo("crash-d");
        assertThat(picked(press(Key.Named.END, Key.Named.HOME))).isEqualTo("train-a");
        assertThat(picked(press(Key.Named.PAGE_DOWN))).as("a page is two rows here").isEqualTo("eval-c");
    }

    @Test
    void thePickStaysOnItsJobWhenRowsMoveAndFallsBackToTheFirstWhenItIsGone()
    {
        TopView view = press(Key.Named.DOWN);
        TopSnapshot reordered = snapshot(List.of(pending("new-one", "new", 1), running("train-b", "train", "gpu-2", 31)), List.of());
        TopSnapshot without = snapshot(List.of(pending("new-one", "new", 1)), List.of());

        assertThat(view.picked(view.visible(reordered)).orElseThrow().id()).isEqualTo("train-b");
        assertThat(view.picked(view.visible(without)).orElseThrow().id()).isEqualTo("new-one");
    }

    @Test
    void aFilterTypedAfterASlashNarrowsTheJobsAndLettersInItAreNotCommands()
    {
        TopView typing = press(Key.typed('/'), Key.typed('q'), Key.typed('j'));
        assertThat(typing.editingFilter()).isTrue();
        assertThat(typing.filter()).as("q and j are part of the filter while it is typed").isEqualTo("qj");

        TopView filtered = press(Key.typed('f'), Key.typed('E'), Key.typed('v'), Key.typed('x'), Key.Named.BACKSPACE, Key.Named.ENTER);

        assertThat(filtered.editingFilter()).isFalse();
        assertThat(filtered.filter()).isEqualTo("Ev");
        assertThat(filtered.visible(SNAPSHOT)).extracting(TopSnapshot.JobLine::id).containsExactly("eval-c");
        assertThat(picked(filtered)).isEqualTo("eval-c");
        assertThat(press(filtered, Key.Named.ESCAPE).filter()).as("Esc clears a kept filter").isEmpty();
        assertThat(press(Key.typed('/'), Key.typed('g'), Key.typed('p'), Key.typed('u'), Key.typed('-'), Key.typed('2'), Key.Named.ENTER)
                .visible(SNAPSHOT)).as("a node matches too").extracting(TopSnapshot.JobLine::id).containsExactly("train-b");
        assertThat(press(Key.typed('/'), Key.typed('x'), Key.Named.ESCAPE).filter()).isEmpty();
        assertThat(press(Key.typed('/'), Key.typed('c'), Key.typed('o'), Key.typed('d'), Key.typed('e'), Key.typed(' '), Key.typed('3'))
                .visible(SNAPSHOT)).as("a reason matches").extracting(TopSnapshot.JobLine::id).containsExactly("crash-d");
    }

    @Test
    void qQuitsAndSoDoesCtrlCFromAnywhere()
    {
        assertThat(step(TopView.start(), Key.typed('q')).action()).containsInstanceOf(TopKeys.Quit.class);
        assertThat(step(press(Key.typed('/')), Key.Named.INTERRUPT).action()).containsInstanceOf(TopKeys.Quit.class);
        assertThat(step(press(Key.Named.ENTER), Key.Named.INTERRUPT).action()).containsInstanceOf(TopKeys.Quit.class);
        assertThat(step(press(Key.typed('c')), Key.Named.INTERRUPT).action()).containsInstanceOf(TopKeys.Quit.class);
    }

    @Test
    void enterFollowsThePickedJobsLogAndEscOrQComesBack()
    {
        TopView log = press(Key.Named.DOWN, Key.Named.ENTER);
        assertThat(log.following()).contains("train-b");
        assertThat(log.stream()).isEqualTo(LogStream.STDOUT);

        assertThat(press(log, Key.typed('s')).stream()).isEqualTo(LogStream.STDERR);
        assertThat(press(log, Key.Named.TAB, Key.Named.TAB).stream()).isEqualTo(LogStream.STDOUT);
        assertThat(press(log, Key.Named.UP, Key.typed('k'), Key.Named.PAGE_UP).scroll()).isEqualTo(4);
        assertThat(press(log, Key.Named.UP, Key.Named.DOWN, Key.Named.DOWN).scroll()).as("never below the end").isZero();
        assertThat(press(log, Key.typed('g')).scroll()).as("to the start, clamped where the log is known").isEqualTo(Integer.MAX_VALUE);
        assertThat(press(log, Key.typed('g'), Key.typed('G')).scroll()).isZero();
        Step back = step(log, Key.typed('q'));
        assertThat(back.action()).as("q in the log goes back, it does not quit").isEmpty();
        assertThat(back.view().following()).isEmpty();
        assertThat(press(log, Key.Named.ESCAPE).following()).isEmpty();
        assertThat(picked(press(log, Key.Named.ESCAPE))).isEqualTo("train-b");
    }

    @Test
    void cancellingAsksFirstAndOnlyYesCancels()
    {
        TopView asked = press(Key.Named.DOWN, Key.typed('c'));
        assertThat(asked.confirming()).contains("train-b");

        Step yes = step(asked, Key.typed('y'));
        assertThat(yes.action()).contains(new TopKeys.Cancel("train-b"));
        assertThat(yes.view().confirming()).isEmpty();

        for (Key no : List.of(Key.typed('n'), Key.Named.ESCAPE, Key.typed('q'))) {
            Step kept = step(asked, no);
            assertThat(kept.action()).as(no.toString()).isEmpty();
            assertThat(kept.view().confirming()).isEmpty();
            assertThat(kept.view().message()).contains("job train-b not cancelled");
        }
        Step stray = step(asked, Key.Named.DOWN);
        assertThat(stray.action()).isEmpty();
        assertThat(stray.view().confirming()).as("a stray key leaves the question open").contains("train-b");
    }

    @Test
    void aJobFollowedCanBeCancelledFromItsLog()
    {
        TopView asked = press(Key.Named.ENTER, Key.typed('c'));

        Step yes = step(asked, Key.typed('Y'));

        assertThat(yes.action()).contains(new TopKeys.Cancel("train-a"));
        assertThat(yes.view().following()).as("back to the log it came from").contains("train-a");
    }

    @Test
    void anEndedJobIsNotOfferedForCancelling()
    {
        TopView view = press(Key.Named.END, Key.typed('c'));

        assertThat(view.confirming()).isEmpty();
        assertThat(view.message()).contains("job crash-d already ended as FAILED; nothing to cancel");
        assertThat(press(view, Key.Named.UP).message()).as("a message lasts until the next key").isEmpty();
    }

    @Test
    void withNoJobsTheKeysSaySoInsteadOfDoingSomething()
    {
        TopSnapshot empty = snapshot(List.of(), List.of());

        assertThat(TopKeys.press(TopView.start(), Key.Named.ENTER, empty, 2).view().message()).contains("no job to follow");
        assertThat(TopKeys.press(TopView.start(), Key.typed('c'), empty, 2).view().message()).contains("no job to cancel");
        assertThat(TopKeys.press(TopView.start(), Key.Named.DOWN, empty, 2).view()).isEqualTo(TopView.start());
    }

    private static TopView press(Key... keys)
    {
        return press(TopView.start(), keys);
    }

    private static TopView press(TopView view, Key... keys)
    {
        TopView current = view;
        for (Key key : keys) {
            current = step(current, key).view();
        }
        return current;
    }

    private static Step step(TopView view, Key key)
    {
        return TopKeys.press(view, key, SNAPSHOT, 2);
    }

    private static String picked(TopView view)
    {
        Optional<TopSnapshot.JobLine> picked = view.picked(view.visible(SNAPSHOT));
        return picked.orElseThrow().id();
    }
}
