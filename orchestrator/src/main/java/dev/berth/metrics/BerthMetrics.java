package dev.berth.metrics;

import dev.berth.job.AttemptOutcome;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The events berth counts and times as they happen, recorded by the classes that decide them. Label
 * values come from berth's own enums and method names, never from a request: a job's id, name or pool
 * would make a series per job.
 */
public final class BerthMetrics
{
    /** A job waits from seconds on an idle fleet to days behind a deep queue, and runs as long. */
    private static final Duration[] JOB_BUCKETS = {
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
            Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8), Duration.ofHours(16), Duration.ofDays(1),
            Duration.ofDays(2), Duration.ofDays(7)};
    /** An Engine API call takes milliseconds; an image look-up asks a registry, and a create of a large spec takes longer. */
    private static final Duration[] SWARM_BUCKETS = {
            Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final Counter submitted;
    private final Counter admitted;
    private final Counter receiveErrors;
    private final Counter deleteErrors;
    private final Timer waited;

    public BerthMetrics(MeterRegistry registry)
    {
        this.registry = requireNonNull(registry, "registry is null");
        this.submitted = Counter.builder("berth.jobs.submitted")
                .description("Jobs stored by intake: requests taken off the queue that became new jobs (not redeliveries, not rejected messages)")
                .register(registry);
        this.admitted = Counter.builder("berth.jobs.admitted")
                .description("Jobs admitted: taken from the queue to be prepared and handed to Swarm (a retried job once per attempt)")
                .register(registry);
        this.receiveErrors = Counter.builder("berth.sqs.receive.errors")
                .description("Receives from the job queue that failed (queue unreachable or refusing); intake backs off and tries again")
                .register(registry);
        this.deleteErrors = Counter.builder("berth.sqs.delete.errors")
                .description("Messages the job queue did not delete after their jobs were stored; they come back and are recognised as stored")
                .register(registry);
        this.waited = Timer.builder("berth.job.wait")
                .description("How long jobs waited from their receipt to the start of their first attempt's container")
                .serviceLevelObjectives(JOB_BUCKETS)
                .register(registry);
    }

    /** Intake stored a new job. */
    public void submitted()
    {
        submitted.increment();
    }

    /** An array was stored: each of its tasks is a job submitted. */
    public void submitted(int tasks)
    {
        submitted.increment(tasks);
    }

    /** Admission took a queued job to prepare it. */
    public void admitted()
    {
        admitted.increment();
    }

    /**
     * An attempt of {@code job} (as it was before the start was recorded) was seen to start; the job's
     * wait ends with its first start only, so a retry does not count its earlier attempts as waiting.
     */
    public void started(Job job, Instant startedAt)
    {
        if (job.startedAt().isEmpty()) {
            waited.record(nonNegative(Duration.between(job.receivedAt(), startedAt)));
        }
    }

    /** An attempt ended; one that started has its run time recorded under its end state. */
    public void attemptEnded(AttemptOutcome outcome, Optional<Instant> startedAt, Instant finishedAt)
    {
        Counter.builder("berth.attempts.ended")
                .description("Attempts ended, by their end state and cause (cause none for a success)")
                .tag("state", outcome.state().name())
                .tag("cause", outcome.cause().map(Cause::label).orElse("none"))
                .register(registry)
                .increment();
        startedAt.ifPresent(start -> Timer.builder("berth.attempt.run")
                .description("How long attempts' containers ran, from their start to their end, by end state")
                .tag("state", outcome.state().name())
                .serviceLevelObjectives(JOB_BUCKETS)
                .register(registry)
                .record(nonNegative(Duration.between(start, finishedAt))));
    }

    void queueReceiveFailed()
    {
        receiveErrors.increment();
    }

    void queueDeleteFailed(int messages)
    {
        deleteErrors.increment(messages);
    }

    /** One call of the Swarm interface: its name, how long it took, and whether it threw. */
    void swarmCall(String operation, Duration duration, boolean succeeded)
    {
        Timer.builder("berth.swarm.request")
                .description("Calls berth made to the Swarm manager's Engine API, by operation and outcome")
                .tag("operation", operation)
                .tag("outcome", succeeded ? "success" : "error")
                .serviceLevelObjectives(SWARM_BUCKETS)
                .register(registry)
                .record(duration);
    }

    private static Duration nonNegative(Duration duration)
    {
        return duration.isNegative() ? Duration.ZERO : duration;
    }
}
