package dev.berth.web.dashboard;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.rundir.RunDirs;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.DashboardSession;
import dev.berth.testing.LocalSwarm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard as an operator uses it: a real berth on the local swarm running real jobs, the real
 * heartbeat agent beside it, and Debian's Chromium. Each page loads without a console error, the
 * pages follow the jobs without a reload, the cancel button cancels, and text a job wrote stays text.
 * The screenshots in docs/screenshots are taken here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardChromiumIntegrationTest
{
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String XSS = "<img src=x onerror=alert(1)>";
    private static final Path AGENT = LocalSwarm.projectRoot().resolve("heartbeat").resolve("berth-heartbeat");
    private static final Path SCREENSHOTS = LocalSwarm.projectRoot().resolve("docs").resolve("screenshots");

    @TempDir
    static Path temp;

    private DashboardSession session;
    private BerthHarness berth;
    private Process agent;

    @BeforeAll
    void start()
            throws Exception
    {
        session = DashboardSession.start(temp, Map.of(
                "quick.sh", "#!/bin/sh\necho 'quick work done'\nsleep 2\n",
                // Prints a line, then waits for the test to let it print the next: the page must show each as it comes
                "talk.sh", "#!/bin/sh\necho 'first line'\ni=0\nwhile [ ! -e \"$BERTH_ATTEMPT_DIR/go\" ] && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done\n"
                        + "echo 'second line'\necho 'a note on stderr' >&2\n",
                "wait.sh", "#!/bin/sh\necho 'waiting to be cancelled'\nsleep 300\n",
                "echo.sh", "#!/bin/sh\necho \"$ENTRYPOINT_PARAMS\"\n",
                "fail.sh", "#!/bin/sh\necho 'loading the data'\necho 'no such file: data.csv' >&2\nexit 3\n"));
        berth = session.berth();
        agent = startAgent();
    }

    @AfterAll
    void stop()
            throws Exception
    {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        if (session != null) {
            session.close();
        }
    }

    @AfterEach
    void noConsoleErrors()
    {
        session.assertNoConsoleErrors();
    }

    @Test
    void theJobsPageShowsAJobEndWithoutAReload()
    {
        String jobId = session.submit("quick.sh");
        session.open("/");
        markPage();

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> session.text("tr[data-job='" + jobId + "'] td.state").startsWith("SUCCEEDED"));

        assertThat(stillTheSamePage()).isTrue();
        assertThat(berth.store().reads().job(jobId).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aJobPageFollowsItsOutputLive()
            throws IOException
    {
        String jobId = session.submit("talk.sh");
        Job running = berth.awaitState(jobId, Set.of(JobState.RUNNING), PATIENCE);
        session.open("/jobs/" + jobId);
        markPage();

        await().atMost(PATIENCE).until(() -> session.text("#stdout").contains("first line"));
        assertThat(session.text("#stdout")).doesNotContain("second line");
        // The job goes on only now, so the line it prints next can only reach the page live
        Files.createFile(RunDirs.attemptDir(running.runDir().orElseThrow(), 1).resolve("go"));

        await().atMost(PATIENCE).until(() -> session.text("#stdout").contains("second line"));
        await().atMost(PATIENCE).until(() -> session.text("#stderr").contains("a note on stderr"));
        await().atMost(PATIENCE).until(() -> session.text("#summary h1").contains("SUCCEEDED"));
        assertThat(session.text("#stdout")).startsWith("── attempt 1 ──\nfirst line\nsecond line");
        assertThat(stillTheSamePage()).isTrue();
    }

    @Test
    void cancellingThroughThePageCancelsTheJob()
    {
        String jobId = session.submit("wait.sh");
        berth.awaitState(jobId, Set.of(JobState.RUNNING), PATIENCE);
        session.open("/jobs/" + jobId);

        session.driver().findElement(By.cssSelector("form.cancel button")).click();
        assertThat(session.driver().switchTo().alert().getText()).startsWith("Cancel job " + jobId + "?");
        session.driver().switchTo().alert().dismiss();
        assertThat(berth.store().reads().job(jobId).orElseThrow().cancelRequested()).as("a cancel the operator took back").isFalse();

        session.driver().findElement(By.cssSelector("form.cancel button")).click();
        session.driver().switchTo().alert().accept();

        assertThat(berth.awaitEnd(jobId).state()).isEqualTo(JobState.CANCELLED);
        await().atMost(PATIENCE).until(() -> session.text("#summary h1").contains("CANCELLED"));
        assertThat(session.driver().findElements(By.cssSelector("form.cancel"))).as("an ended job has nothing to cancel").isEmpty();
    }

    @Test
    void whatAJobWroteShowsAsTextNeverAsMarkup()
    {
        // Not a valid name: rejected, with a reason that quotes it
        berth.send("{\"repo_uri\": \"" + session.repo().fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"echo.sh\", \"name\": \"" + XSS + "\"}");
        String echoed = session.submit("echo.sh", "--params", XSS);
        berth.awaitEnd(echoed);
        await().atMost(PATIENCE).until(() -> berth.store().reads().newest(Set.of(JobState.REJECTED), 10).stream()
                .anyMatch(job -> job.rawRequest().contains(XSS)));

        session.open("/?name=" + URLEncoder.encode(XSS, StandardCharsets.UTF_8));
        assertThat(session.driver().findElement(By.name("name")).getAttribute("value")).isEqualTo(XSS);
        session.open("/?state=REJECTED");
        assertThat(session.text("table.jobs")).contains("name '" + XSS + "' is not valid");
        session.assertNoMarkupRan();

        session.open("/jobs/" + echoed);
        await().atMost(PATIENCE).until(() -> session.text("#stdout").contains(XSS));
        assertThat(session.text("pre.request")).contains("\"entrypoint_params\" : \"" + XSS + "\"");
        session.assertNoMarkupRan();
    }

    @Test
    void theSelfTestButtonSendsTheSelfTestAndShowsItsJob()
    {
        session.open("/");
        session.driver().findElement(By.cssSelector("button[data-selftest]")).click();

        await().atMost(PATIENCE).until(() -> session.driver().getCurrentUrl().contains("/jobs/"));
        String jobId = session.driver().getCurrentUrl().substring(session.driver().getCurrentUrl().lastIndexOf('/') + 1);
        assertThat(berth.awaitEnd(jobId).state()).isEqualTo(JobState.SUCCEEDED);
        await().atMost(PATIENCE).until(() -> session.text("#stdout").contains("product checked"));
    }

    @Test
    void eachPageLoadsAndIsPhotographedForTheDocs()
            throws IOException
    {
        String failed = session.submit("fail.sh", "--name", "prepare-data");
        String succeeded = session.submit("talk.sh", "--name", "train-resnet", "--params", "--lr 0.01 --epochs 3");
        String waiting = session.submit("wait.sh", "--name", "sweep-lr-0.1");
        berth.awaitEnd(failed);
        Job talking = berth.awaitState(succeeded, Set.of(JobState.RUNNING), PATIENCE);
        Files.createFile(RunDirs.attemptDir(talking.runDir().orElseThrow(), 1).resolve("go"));
        berth.awaitEnd(succeeded);
        berth.awaitState(waiting, Set.of(JobState.RUNNING), PATIENCE);

        session.open("/");
        await().atMost(PATIENCE).until(() -> !session.driver().findElements(By.cssSelector("tr[data-job='" + waiting + "']")).isEmpty());
        session.browser().screenshot(SCREENSHOTS.resolve("jobs.png"));

        session.open("/jobs/" + succeeded);
        await().atMost(PATIENCE).until(() -> session.text("#stdout").contains("second line") && session.text("#stderr").contains("a note on stderr"));
        session.browser().screenshot(SCREENSHOTS.resolve("job.png"));

        session.open("/workers");
        await().atMost(PATIENCE).until(() -> session.text("table.workers").contains(waiting + "/1"));
        assertThat(session.text("table.workers")).as("the local engine, with the real agent's heartbeat").contains("local").contains("ago");
        session.browser().screenshot(SCREENSHOTS.resolve("workers.png"));

        berth.cli("cancel", "--no-wait", waiting);
    }

    /** Marks the page in the browser's memory: a reload would lose the mark. */
    private void markPage()
    {
        session.driver().executeScript("window.berthTestMark = 'unchanged';");
    }

    private boolean stillTheSamePage()
    {
        return "unchanged".equals(session.driver().executeScript("return window.berthTestMark;"));
    }

    /** berth's worker agent on this machine, writing the heartbeat tree of the harness's shared dir. */
    private Process startAgent()
            throws IOException
    {
        ProcessBuilder builder = new ProcessBuilder("sh", AGENT.toString()).redirectErrorStream(true)
                .redirectOutput(temp.resolve("agent.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("HEARTBEAT_") || key.startsWith("BERTH_"));
        environment.put("BERTH_SHARED_DIR", berth.config().sharedDir().toString());
        environment.put("HEARTBEAT_INTERVAL", "1");
        environment.put("HEARTBEAT_POOL", "local");
        // Never idle long enough to drain this machine or power it off
        environment.put("HEARTBEAT_IDLE_LIMIT", "86400");
        environment.put("HEARTBEAT_POWEROFF_COMMAND", "true");
        environment.put("DOCKER_HOST", LocalSwarm.DOCKER_HOST);
        return builder.start();
    }
}
