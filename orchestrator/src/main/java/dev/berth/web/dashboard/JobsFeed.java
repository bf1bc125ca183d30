package dev.berth.web.dashboard;

import dev.berth.store.JobReads;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /events/jobs}: a server-sent event {@code jobs} whenever the store has changed, its data the
 * store's change marker ({@link JobReads#changeMarker}), and one with the current marker as a browser
 * connects. Pages show the marker they were made at and fetch their live parts again when an event
 * brings another, so a change between a page's making and its connecting is not missed.
 * <p>
 * The server looks once a second, for all browsers together: two lookups of SQLite's counters, none when
 * no page is open, and at most one refresh a second per page however busy the fleet. The scheduler's
 * wake-ups would not see a cancel written by the CLI, which the marker does; browser polling would cost a
 * request per page every second even when nothing changed.
 */
final class JobsFeed
{
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** A comment this often finds browsers that left (their stream's write fails) and keeps proxies from closing an idle stream. */
    private static final int KEEP_ALIVE_TICKS = 15;
    private static final Logger log = LoggerFactory.getLogger(JobsFeed.class);

    private final JobReads reads;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private long marker = -1;
    private int quietTicks;

    JobsFeed(JobReads reads, ScheduledExecutorService executor)
    {
        this.reads = requireNonNull(reads, "reads is null");
        executor.scheduleWithFixedDelay(this::tick, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    void subscribe(Context context)
    {
        SseClient client = EventStreams.open(context);
        client.onClose(() -> clients.remove(client));
        synchronized (this) {
            client.sendEvent("jobs", String.valueOf(reads.changeMarker()));
            clients.add(client);
        }
    }

    private synchronized void tick()
    {
        try {
            if (clients.isEmpty()) {
                return;
            }
            long now = reads.changeMarker();
            if (now != marker) {
                marker = now;
                quietTicks = 0;
                clients.forEach(client -> client.sendEvent("jobs", String.valueOf(now)));
            }
            else if (++quietTicks % KEEP_ALIVE_TICKS == 0) {
                clients.forEach(client -> client.sendComment("still here"));
            }
        }
        catch (RuntimeException e) {
            // The next tick tries again; a scheduled task that threw would never run again
            log.warn("Cannot tell the dashboard's pages of changes: {}", e.getMessage());
        }
    }

    void close()
    {
        clients.forEach(SseClient::close);
    }
}
