package dev.berth.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * An operator's browser left open on the jobs page, doing what the page's script does: it loads the
 * page, listens to {@code /events/jobs}, and fetches the page's live table again whenever an event brings
 * a change marker other than the one it has (berth sends at most one a second, so a busy fleet means a
 * refresh every second). Counts what failed, so a run that was not watched says so.
 */
final class DashboardViewer
        implements AutoCloseable
{
    private static final Pattern LIVE = Pattern.compile("data-live=\"([^\"]+)\" data-marker=\"(\\d+)\"");

    private final HttpClient client = HttpClient.newHttpClient();
    private final URI web;
    private final Thread thread;
    private final AtomicInteger fetched = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile Stream<String> events = Stream.empty();
    private volatile boolean open = true;

    private DashboardViewer(URI web)
    {
        this.web = requireNonNull(web, "web is null");
        this.thread = new Thread(this::watch, "dashboard-viewer");
        thread.setDaemon(true);
    }

    static DashboardViewer open(URI web)
    {
        DashboardViewer viewer = new DashboardViewer(web);
        viewer.thread.start();
        return viewer;
    }

    private void watch()
    {
        try {
            Matcher page = LIVE.matcher(fetch(web.resolve("/")));
            if (!page.find()) {
                throw new IOException("the jobs page has no live table");
            }
            URI live = web.resolve(page.group(1).replace("&amp;", "&"));
            String[] marker = {page.group(2)};
            HttpResponse<Stream<String>> stream = client.send(HttpRequest.newBuilder(web.resolve("/events/jobs")).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofLines());
            events = stream.body();
            // Each event is an "event: jobs" line, then its "data:" line
            events.filter(line -> line.startsWith("data:")).map(line -> line.substring("data:".length()).trim()).forEach(data -> {
                if (open && !data.equals(marker[0])) {
                    marker[0] = data;
                    try {
                        fetch(live);
                    }
                    catch (IOException | InterruptedException e) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        catch (IOException | RuntimeException e) {
            if (open) {
                failed.incrementAndGet();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String fetch(URI page)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            failed.incrementAndGet();
            throw new IOException(page + " answered " + response.statusCode());
        }
        fetched.incrementAndGet();
        return response.body();
    }

    /** Closes the page; fails when any of its fetches failed, or when it saw no change at all while the fleet worked. */
    @Override
    public void close()
            throws InterruptedException
    {
        open = false;
        events.close();
        thread.interrupt();
        thread.join(5_000);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of the dashboard's " + (failed.get() + fetched.get()) + " fetches failed");
        }
        if (fetched.get() < 2) {
            throw new IllegalStateException("the dashboard loaded its page but never refreshed its live table");
        }
    }
}
