package dev.berth.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * berth's pages as an operator opens them: a real daemon on the local swarm, a git repository of the
 * test's job scripts for it to run, and Debian's Chromium on the daemon's HTTP address.
 */
public final class DashboardSession
        implements AutoCloseable
{
    private final GitRepos repo;
    private final BerthHarness berth;
    private final Browser browser;

    private DashboardSession(GitRepos repo, BerthHarness berth, Browser browser)
    {
        this.repo = requireNonNull(repo, "repo is null");
        this.berth = requireNonNull(berth, "berth is null");
        this.browser = requireNonNull(browser, "browser is null");
    }

    /** The scripts committed to a repository under {@code root}, a daemon beside it and a browser. */
    public static DashboardSession start(Path root, Map<String, String> scripts)
            throws Exception
    {
        GitRepos repo = GitRepos.create(root.resolve("served").resolve("jobs"));
        repo.commit(scripts);
        BerthHarness berth = BerthHarness.start(root.resolve("berth"), Map.of());
        try {
            return new DashboardSession(repo, berth, Browser.start());
        }
        catch (RuntimeException e) {
            // No browser: leave no daemon running behind the failed test
            try (repo) {
                berth.close();
            }
            throw e;
        }
    }

    public BerthHarness berth()
    {
        return berth;
    }

    public GitRepos repo()
    {
        return repo;
    }

    public Browser browser()
    {
        return browser;
    }

    public ChromeDriver driver()
    {
        return browser.driver();
    }

    /** Submits one of the repository's scripts with {@code berth submit}, small enough for this machine; returns the job's id. */
    public String submit(String entrypoint, String... more)
    {
        List<String> args = new ArrayList<>(List.of("submit", "--repo", repo.fileUrl(), "--entrypoint", entrypoint, "--cpus", "0.1", "--memory", "32m"));
        args.addAll(List.of(more));
        BerthHarness.CliResult result = berth.cli(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.err()).isZero();
        return result.out().strip();
    }

    /** Opens a page of the daemon, such as {@code /stats?since=1h}. */
    public void open(String path)
    {
        driver().get(berth.webUri().resolve(path).toString());
    }

    /** The text an element shows, read in one step in the page: a live part may be replaced between two of Selenium's. */
    public String text(String selector)
    {
        Object text = driver().executeScript("const element = document.querySelector(arguments[0]); return element === null ? '' : element.innerText;", selector);
        return String.valueOf(text);
    }

    /** The pages opened since the last look raised no error in the browser's console (see {@link Browser#consoleErrors()}). */
    public void assertNoConsoleErrors()
    {
        assertThat(browser.consoleErrors()).as("errors in the browser's console").isEmpty();
    }

    /** No alert was raised and no image or SVG element made: what markup in a job's text would have done, shown as markup. */
    public void assertNoMarkupRan()
    {
        WebDriver.TargetLocator target = driver().switchTo();
        assertThatThrownBy(target::alert).as("no alert from a job's text").isInstanceOf(NoAlertPresentException.class);
        assertThat(driver().findElements(By.cssSelector("img, svg"))).as("no element made from a job's text").isEmpty();
    }

    /** The browser first, then the daemon (its jobs' services removed), then the repository. */
    @Override
    public void close()
            throws IOException
    {
        try (repo; berth) {
            browser.close();
        }
    }
}
