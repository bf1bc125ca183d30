package dev.berth.top;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.Tmux;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code berth top} in a real terminal: tmux runs it from a shell, over a real daemon running real jobs on
 * the local swarm; keys go in with {@code send-keys} and the test reads the screen with {@code capture-pane}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TopTmuxIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SCREEN_WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path temp;

    private BerthHarness berth;
    private GitRepos repo;
    private Path launcher;
    private Path errors;
    private Tmux tmux;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("served").resolve("jobs"));
        repo.commit(Map.of(
                "chatty.sh", "#!/bin/sh\nfor i in 1 2 3 4 5; do echo \"hello from top $i\"; done\necho 'chatty on stderr' >&2\nsleep 300\n",
                "victim.sh", "#!/bin/sh\necho 'victim started'\nsleep 300\n",
                "crash.sh", "#!/bin/sh\necho 'going down'\nexit 3\n"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of());
        submit("chatty", "chatty.sh");
        submit("crash", "crash.sh");
        berth.awaitState("chatty", EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        assertThat(berth.awaitEnd("crash").state()).isEqualTo(JobState.FAILED);

        // berth top as the berth launcher runs it, on this test's classes, pointed at the harness's state and shared dirs;
        // what it says on stderr goes to a file, for a failing test to show
        launcher = temp.resolve("berth-top.sh");
        errors = temp.resolve("berth-top.err");
        Files.writeString(launcher, "#!/bin/sh\nexec '%s' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '%s' dev.berth.cli.Main top --verbose --state-dir '%s' --shared-dir '%s' 2>>'%s'\n"
                .formatted(Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"),
                        berth.config().stateDir(), berth.config().sharedDir(), errors));
    }

    @AfterEach
    void closeTerminal()
    {
        if (tmux != null) {
            tmux.close();
            tmux = null;
        }
    }

    @AfterAll
    void stop()
            throws IOException
    {
        berth.close();
        repo.close();
    }

    @Test
    void theJobsShowAndAPickedJobsLogFollows()
    {
        startTop(120, 40);

        String screen = awaitScreen("the jobs", "RUNNING AND STARTING", "chatty", "RECENT FAILURES", "crash");
        assertThat(screen).containsPattern("chatty +chatty +RUNNING");
        assertThat(screen).containsPattern("crash +crash +FAILED\\[exit\\] .*exited with code 3");
        assertThat(screen).contains("queue: 0 queued");

        // Narrowed to the one job, then followed
        tmux.keys("/");
        tmux.type("chatty");
        tmux.keys("Enter");
        awaitScreen("the filter", "filter: chatty", "RECENT FAILURES (0)");
        tmux.keys("Enter");

        String log = awaitScreen("the log", "log of chatty (chatty)  RUNNING", "hello from top 1", "hello from top 5");
        assertThat(log).doesNotContain("chatty on stderr");
        tmux.keys("s");
        awaitScreen("stderr", "chatty on stderr");
        tmux.keys("Escape");
        awaitScreen("back to the jobs", "RUNNING AND STARTING (1)");
    }

    @Test
    void cancellingThePickedJobAsksFirstThenCancelsIt()
    {
        submit("victim", "victim.sh");
        berth.awaitState("victim", EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        startTop(120, 40);
        awaitScreen("the victim", "victim");

        tmux.keys("/");
        tmux.type("victim");
        tmux.keys("Enter", "c");
        awaitScreen("the question", "Cancel job victim (victim)? y cancels it, n keeps it");
        assertThat(berth.store().reads().job("victim").orElseThrow().cancelRequested()).as("nothing before the answer").isFalse();
        tmux.keys("y");

        awaitScreen("the outcome", "job victim is RUNNING; berth serve stops it");
        assertThat(berth.awaitEnd("victim").state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void aResizeRedrawsForTheNewSizeAndQLeavesTheTerminalAsItWas()
    {
        startTop(120, 40);
        List<String> before = awaitRows("the first frame", rows -> rows.size() == 40 && rows.get(0).startsWith("berth top") && rows.get(39).contains("q quit"));
        assertThat(before.get(0)).as("the summary at the right edge").hasSize(120).endsWith("GPUs free");
        assertThat(tmux.format("#{alternate_on} #{cursor_flag}")).as("the alternate screen, no cursor").isEqualTo("1 0");

        tmux.resize(80, 20);

        // Drawn again for 20 rows: the header on the first and the keys on the last, where a screen left at 40 rows has neither
        List<String> resized = awaitRows("the frame at 80x20", rows -> rows.size() == 20 && rows.get(0).startsWith("berth top") && rows.get(19).contains("q quit"));
        assertThat(tmux.format("#{pane_width}x#{pane_height}")).isEqualTo("80x20");
        assertThat(resized.get(0)).as("the summary moved to the new right edge").hasSize(80).endsWith("GPUs free");
        assertThat(resized).anyMatch(row -> row.startsWith("RUNNING AND STARTING ("));

        tmux.keys("q");

        List<String> after = awaitRows("the shell again", rows -> rows.stream().noneMatch(row -> row.startsWith("berth top")) && rows.contains("MARKER"));
        assertThat(after).noneMatch(row -> row.contains("RUNNING AND STARTING") || row.contains("q quit"));
        assertThat(tmux.format("#{alternate_on} #{cursor_flag} #{keypad_flag}")).as("main screen, cursor shown, keypad as it was").isEqualTo("0 1 0");
        // The line discipline is back: what is typed echoes, and a line runs when Enter ends it
        tmux.type("echo AFTER-$((40+2))");
        tmux.keys("Enter");
        awaitRows("the shell running a command", rows -> rows.contains("AFTER-42"));
    }

    /** A shell in a fresh terminal, which prints a marker and then runs berth top. */
    private void startTop(int width, int height)
    {
        tmux = Tmux.start(width, height, temp.toString(), "sh");
        tmux.type("echo MARKER; sh " + launcher);
        tmux.keys("Enter");
    }

    private String awaitScreen(String what, String... texts)
    {
        String[] screen = new String[1];
        await().alias(what).atMost(SCREEN_WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            screen[0] = String.join("\n", tmux.screen());
            assertThat(screen[0]).as("the screen; berth top's stderr:%n%s", stderr()).contains(texts);
        });
        return screen[0];
    }

    private List<String> awaitRows(String what, Predicate<List<String>> wanted)
    {
        List<List<String>> seen = new ArrayList<>(List.of(List.of()));
        await().alias(what).atMost(SCREEN_WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            seen.set(0, padded(tmux.screen()));
            assertThat(wanted.test(seen.get(0))).as("%s; the screen:%n%s%nberth top's stderr:%n%s", what, String.join("\n", seen.get(0)), stderr()).isTrue();
        });
        return seen.get(0);
    }

    /** The screen's rows with the blank ones at the bottom, which capture-pane leaves out, counted in. */
    private List<String> padded(List<String> rows)
    {
        int height = Integer.parseInt(tmux.format("#{pane_height}"));
        List<String> all = new ArrayList<>(rows);
        while (all.size() < height) {
            all.add("");
        }
        return all;
    }

    private String stderr()
            throws IOException
    {
        return Files.exists(errors) ? Files.readString(errors) : "";
    }

    private void submit(String id, String entrypoint)
    {
        try {
            berth.send(JSON.writeValueAsString(Map.of("job_id", id, "name", id, "repo_uri", repo.fileUrl(), "branch", "main", "entrypoint", entrypoint)));
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
