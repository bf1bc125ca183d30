package dev.berth.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * An operator's browser left open on the dashboard: fetches its pages once a second, as a page that
 * refreshes itself does, until closed. Counts what failed, so a run that was not watched says so.
 */
final class DashboardViewer
        implements AutoCloseable
{
    private static final Duration REFRESH = Duration.ofSeconds(1);

    private final HttpClient client = HttpClient.newHttpClient();
    private final List<URI> pages;
    private final Thread thread;
    private final AtomicInteger fetched = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile boolean open = true;

    private DashboardViewer(List<URI> pages)
    {
        this.pages = List.copyOf(requireNonNull(pages, "pages is null"));
        this.thread = new Thread(this::watch, "dashboard-viewer");
        thread.setDaemon(true);
    }

    static DashboardViewer open(URI web, List<String> paths)
    {
        DashboardViewer viewer = new DashboardViewer(paths.stream().map(web::resolve).toList());
        viewer.thread.start();
        return viewer;
    }

    private void watch()
    {
        while (open) {
            long start = System.nanoTime();
            for (URI page : pages) {
                try {
                    HttpResponse<Void> response = client.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.discarding());
                    (response.statusCode() == 200 ? fetched : failed).incrementAndGet();
                }
                catch (IOException e) {
                    failed.incrementAndGet();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            try {
                Thread.sleep(Math.max(0, REFRESH.toMillis() - (System.nanoTime() - start) / 1_000_000));
            }
            catch (InterruptedException e) {
                return;
            }
        }
    }

    int fetched()
    {
        return fetched.get();
    }

    @Override
    public void close()
            throws InterruptedException
    {
        open = false;
        thread.interrupt();
        thread.join();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of the dashboard's " + (failed.get() + fetched.get()) + " fetches failed");
        }
    }
}
