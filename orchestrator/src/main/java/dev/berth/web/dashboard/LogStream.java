package dev.berth.web.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.rundir.LogFollower;
import dev.berth.rundir.UnsafeRunDirException;
import dev.berth.store.JobReads;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * One browser following a job's output ({@code logs?follow=true}): every {@link #INTERVAL} it looks at the
 * job and hands on what its {@link LogFollower} read, as events {@code attempt} ({@code {"attempt": K}},
 * when the follower is at a new attempt), {@code log} ({@code {"attempt": K, "text": ...}}) and, once the
 * job has ended and its last bytes are sent, {@code end} ({@code {"state": ...}}); or {@code failure}
 * ({@code {"error": ...}}) when the output cannot be read, such as a link the job put in its place.
 * Each event's id is {@code K:offset}, so a browser that reconnects resumes where it was.
 * A look is a task on the shared pool that schedules the next, so a follower holds no thread of its own.
 */
final class LogStream
        implements Runnable
{
    static final Duration INTERVAL = Duration.ofMillis(250);
    private static final int KEEP_ALIVE_TICKS = 60;
    private static final Logger log = LoggerFactory.getLogger(LogStream.class);

    private final JobReads reads;
    private final String jobId;
    private final LogFollower follower;
    private final SseClient client;
    private final ScheduledExecutorService executor;
    private final ObjectMapper mapper;
    private int sentAttempt;
    private int quietTicks;

    LogStream(JobReads reads, String jobId, LogFollower follower, SseClient client, ScheduledExecutorService executor, ObjectMapper mapper)
    {
        this.reads = requireNonNull(reads, "reads is null");
        this.jobId = requireNonNull(jobId, "jobId is null");
        this.follower = requireNonNull(follower, "follower is null");
        this.client = requireNonNull(client, "client is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    void start()
    {
        executor.execute(this);
    }

    @Override
    public void run()
    {
        if (client.terminated()) {
            return;
        }
        try {
            Job job = reads.job(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " is no longer stored"));
            boolean ended = job.state().terminal();
            if (job.runDir().isPresent()) {
                follower.follow(job.runDir().get(), ended, this::send);
            }
            if (ended) {
                client.sendEvent("end", mapper.writeValueAsString(new EndEvent(job.state().name())));
                client.close();
                return;
            }
            if (++quietTicks % KEEP_ALIVE_TICKS == 0) {
                client.sendComment("still here");
            }
        }
        catch (UnsafeRunDirException e) {
            fail(e.getMessage());
            return;
        }
        catch (IOException | RuntimeException e) {
            log.warn("Cannot follow the output of job {}: {}", jobId, e.getMessage());
            fail("cannot read the job's output: " + e.getMessage());
            return;
        }
        try {
            executor.schedule(this, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (RejectedExecutionException e) {
            // berth is stopping
            client.close();
        }
    }

    private void send(int attempt, String text, long nextOffset)
            throws JsonProcessingException
    {
        quietTicks = 0;
        String id = attempt + ":" + nextOffset;
        if (attempt != sentAttempt) {
            client.sendEvent("attempt", mapper.writeValueAsString(new AttemptEvent(attempt)), id);
            sentAttempt = attempt;
        }
        if (!text.isEmpty()) {
            client.sendEvent("log", mapper.writeValueAsString(new LogEvent(attempt, text)), id);
        }
    }

    private void fail(String message)
    {
        try {
            client.sendEvent("failure", mapper.writeValueAsString(new FailureEvent(message)));
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("a message is always JSON", e);
        }
        client.close();
    }

    /** The events' data, in the order their fields are written. */
    private record AttemptEvent(int attempt) {}

    private record LogEvent(int attempt, String text) {}

    private record EndEvent(String state) {}

    private record FailureEvent(String error) {}
}
