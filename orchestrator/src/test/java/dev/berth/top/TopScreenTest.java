package dev.berth.top;

import dev.berth.job.JobState;
import dev.berth.top.LogExcerpt.Kind;
import dev.berth.top.LogExcerpt.Line;
import dev.berth.top.TopSnapshot.JobLine;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static dev.berth.top.TopFixtures.failed;
import static dev.berth.top.TopFixtures.pending;
import static dev.berth.top.TopFixtures.running;
import static dev.berth.top.TopFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

class TopScreenTest
{
    private static final String HOSTILE = "x\u001b[2J\u001b]0;owned\u0007\u009b1;1H";

    private final TopScreen screen = new TopScreen(ZoneOffset.UTC);
    private final TopSnapshot snapshot = snapshot(
            List.of(running("train-a", "train", "gpu-1", 75), pending("eval-c", "eval", 12)),
            List.of(failed("crash-d", "crash", "exited with code 3", 125)));

    @Test
    void theScreenShowsTheFleetTheQueueTheJobsAndTheKeys()
    {
        List<String> text = text(screen.render(snapshot, TopView.start(), Optional.empty(), 120, 30));

        assertThat(text).hasSize(30);
        assertThat(text.get(0)).startsWith("berth top  2026-05-06 07:08:09").endsWith("2 workers  5/8 GPUs free").hasSize(120);
        assertThat(text).anySatisfy(line -> assertThat(line).containsPattern("POOL +WORKERS +READY +FLAGGED +GPUS +USED +FREE"));
        assertThat(text).anySatisfy(line -> assertThat(line).containsPattern("^gpu +2 +2 +0 +8 +3 +5$"));
        assertThat(text).contains("queue: 12 queued  2 preparing  1 pending in Swarm  2 running");
        assertThat(text).contains("RUNNING AND STARTING (2)", "RECENT FAILURES (1)");
        assertThat(text).anySatisfy(line -> assertThat(line).startsWith("> train-a").containsPattern("train +RUNNING +gpu-1 +0 +1m15s$"));
        assertThat(text).anySatisfy(line -> assertThat(line).startsWith("  eval-c").contains("SUBMITTED", "waiting 12s"));
        assertThat(text).anySatisfy(line -> assertThat(line).startsWith("  crash-d").contains("FAILED[exit]", "2m05s ago", "exited with code 3"));
        assertThat(text.get(29)).contains("q quit", "/ filter", "Enter log", "c cancel");
    }

    @Test
    void thePickedJobIsMarkedAndShownInReverse()
    {
        TopView view = TopKeys.press(TopView.start(), Key.Named.DOWN, snapshot, 5).view();

        List<AttributedString> lines = screen.render(snapshot, view, Optional.empty(), 120, 30);

        AttributedString picked = lines.stream().filter(line -> line.toString().startsWith("> ")).findFirst().orElseThrow();
        assertThat(picked.toString()).startsWith("> eval-c");
        assertThat(picked.styleAt(0)).isEqualTo(AttributedStyle.INVERSE);
        assertThat(text(lines)).filteredOn(line -> line.startsWith("> ")).hasSize(1);
    }

    @Test
    void everyLineIsCutToTheWidthAndTheScreenIsExactlyTheHeight()
    {
        JobLine longReason = failed("crash-e", "crash", "could not reach repository https://example.com/" + "a".repeat(200), 5);
        TopSnapshot wide = snapshot(snapshot.live(), List.of(longReason));

        for (int width : List.of(20, 40, 80, 200)) {
            List<AttributedString> lines = screen.render(wide, TopView.start(), Optional.empty(), width, 24);

            assertThat(lines).as("height at width " + width).hasSize(24);
            assertThat(lines).as("width " + width).allSatisfy(line -> assertThat(line.columnLength()).isLessThanOrEqualTo(width));
        }
        assertThat(text(screen.render(wide, TopView.start(), Optional.empty(), 200, 24))).anySatisfy(line -> assertThat(line).contains("https://example.com/aaaa").endsWith("a…"));
    }

    @Test
    void aHostileJobNameReasonOrLogLineCannotReachTheTerminalAsControls()
    {
        JobLine hostile = new JobLine(HOSTILE, HOSTILE, JobState.RUNNING, false, 1, 0, Optional.of(HOSTILE), TopFixtures.NOW, Optional.of(TopFixtures.NOW),
                Optional.empty(), Optional.empty(), Optional.of(HOSTILE), Optional.empty());
        TopSnapshot bad = snapshot(List.of(hostile), List.of(failed(HOSTILE + "2", HOSTILE, HOSTILE, 1)));
        TopView filtered = TopView.start().withFilter("\u001b", false);
        TopView log = TopKeys.press(TopView.start(), Key.Named.ENTER, bad, 5).view();
        LogExcerpt output = new LogExcerpt(List.of(new Line(Kind.OUTPUT, "progress " + HOSTILE), new Line(Kind.NOTE, HOSTILE)));

        List<AttributedString> all = new ArrayList<>();
        all.addAll(screen.render(bad, TopView.start(), Optional.empty(), 200, 30));
        all.addAll(screen.render(bad, filtered, Optional.empty(), 200, 30));
        all.addAll(screen.render(bad, log, Optional.of(output), 200, 30));
        all.addAll(screen.render(bad, TopKeys.press(TopView.start(), Key.typed('c'), bad, 5).view(), Optional.empty(), 200, 30));
        all.addAll(screen.plain(bad).stream().map(AttributedString::new).toList());

        assertThat(all).allSatisfy(line -> assertThat(line.toString().codePoints())
                .noneMatch(point -> point < 0x20 || (point >= 0x7f && point <= 0x9f)));
        assertThat(text(all)).anySatisfy(line -> assertThat(line).contains("x^[[2J^[]0;owned^G\\x9b1;1H"));
        assertThat(text(all)).anySatisfy(line -> assertThat(line).contains("progress x^[[2J"));
        assertThat(text(all)).anySatisfy(line -> assertThat(line).startsWith("Cancel job x^[[2J"));
    }

    @Test
    void aLongListScrollsToKeepThePickedJobInSightAndSaysWhichRowsShow()
    {
        List<JobLine> many = IntStream.range(0, 40).mapToObj(i -> running("job-%02d".formatted(i), "train", "gpu-1", 60)).toList();
        TopSnapshot crowded = snapshot(many, List.of(failed("crash-d", "crash", "exited with code 3", 5)));
        TopView view = TopView.start();
        for (int i = 0; i < 30; i++) {
            view = TopKeys.press(view, Key.Named.DOWN, crowded, 10).view();
        }

        List<String> text = text(screen.render(crowded, view, Optional.empty(), 100, 24));

        assertThat(text).anySatisfy(line -> assertThat(line).startsWith("> job-30"));
        assertThat(text).anySatisfy(line -> assertThat(line).matches("RUNNING AND STARTING \\(\\d+-31 of 40\\)"));
        assertThat(text).as("the failures keep a row").contains("RECENT FAILURES (1)");
        assertThat(text).anySatisfy(line -> assertThat(line).startsWith("  crash-d"));
    }

    @Test
    void aFleetThatCannotBeSeenIsOneLineSayingWhy()
    {
        TopSnapshot blind = new TopSnapshot(TopFixtures.NOW, new TopSnapshot.Fleet(List.of(), Optional.of("cannot see the fleet: connection refused")),
                snapshot.queue(), snapshot.live(), snapshot.failures());

        assertThat(text(screen.render(blind, TopView.start(), Optional.empty(), 120, 30))).contains("fleet: cannot see the fleet: connection refused");
    }

    @Test
    void theLogViewShowsTheEndOfTheLogAndScrollsBack()
    {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line(Kind.HEADING, "attempt 1: FAILED on gpu-1 (exited with code 75)"));
        IntStream.rangeClosed(1, 50).forEach(i -> lines.add(new Line(Kind.OUTPUT, "step " + i + "\tloss 0." + i)));
        LogExcerpt log = new LogExcerpt(lines);
        TopView following = TopKeys.press(TopView.start(), Key.Named.ENTER, snapshot, 5).view();

        List<String> end = text(screen.render(snapshot, following, Optional.of(log), 80, 12));

        assertThat(end.get(0)).isEqualTo("log of train-a (train)  RUNNING on gpu-1  stdout");
        assertThat(end.subList(1, 11)).startsWith("step 41 loss 0.41").endsWith("step 50 loss 0.50");
        assertThat(end.get(11)).contains("Esc back", "(following)");

        List<String> back = text(screen.render(snapshot, following.withScroll(45), Optional.of(log), 80, 12));

        assertThat(back.get(1)).as("scrolled to the start: the heading first").isEqualTo("── attempt 1: FAILED on gpu-1 (exited with code 75) ──");
        assertThat(back.get(11)).contains("41 lines up");
        assertThat(TopScreen.maxScroll(log, 12)).isEqualTo(41);
    }

    @Test
    void theConfirmationNamesTheJobOnTheLastLine()
    {
        TopView asking = TopKeys.press(TopView.start(), Key.typed('c'), snapshot, 5).view();

        List<AttributedString> lines = screen.render(snapshot, asking, Optional.empty(), 120, 20);

        assertThat(lines.get(19).toString()).isEqualTo("Cancel job train-a (train)? y cancels it, n keeps it");
        assertThat(lines.get(19).styleAt(0)).isEqualTo(AttributedStyle.INVERSE);
    }

    @Test
    void aResizedScreenIsLaidOutForItsNewSize()
    {
        List<String> wide = text(screen.render(snapshot, TopView.start(), Optional.empty(), 120, 40));
        List<String> small = text(screen.render(snapshot, TopView.start(), Optional.empty(), 30, 10));

        assertThat(wide).hasSize(40);
        assertThat(wide.get(0)).as("the summary at the right edge").hasSize(120).endsWith("GPUs free");
        assertThat(text(screen.render(snapshot, TopView.start(), Optional.empty(), 80, 10)).get(0)).hasSize(80).endsWith("GPUs free");
        assertThat(small).hasSize(10).allSatisfy(line -> assertThat(TerminalText.width(line)).isLessThanOrEqualTo(30));
        assertThat(small.get(9)).isEqualTo("q quit  / filter  ↑↓ pick  Ent");
    }

    @Test
    void thePlainSnapshotHasEverySectionAndRowWithoutMarksOrKeys()
    {
        List<JobLine> many = IntStream.range(0, 60).mapToObj(i -> running("job-%02d".formatted(i), "train", "gpu-1", 60)).toList();

        List<String> plain = screen.plain(snapshot(many, snapshot.failures()));

        assertThat(plain).contains("RUNNING AND STARTING (60)", "RECENT FAILURES (1)");
        assertThat(plain).filteredOn(line -> line.startsWith("  job-")).hasSize(60);
        assertThat(plain).noneMatch(line -> line.startsWith(">") || line.contains("q quit"));
        assertThat(plain).allSatisfy(line -> assertThat(line).doesNotEndWith(" "));
    }

    private static List<String> text(List<AttributedString> lines)
    {
        return lines.stream().map(AttributedString::toString).toList();
    }
}
