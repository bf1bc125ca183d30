package dev.berth.daemon;

import dev.berth.job.EnvCredentials;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.JobRequest;
import dev.berth.job.Redaction;
import dev.berth.job.RequestParser;
import dev.berth.metrics.BerthMetrics;
import dev.berth.queue.JobQueue;
import dev.berth.queue.QueueMessage;
import dev.berth.store.InsertOutcome;
import dev.berth.store.JobLookup;
import dev.berth.store.JobStore;
import dev.berth.store.StoreException;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.Swarm;
import dev.berth.text.Sha256;
import dev.berth.time.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Takes requests off the queue. A message is deleted only once its job is stored (or, when it is
 * not a valid request, once it is recorded as REJECTED and copied to the dead-letter queue), so a
 * crash at any point redelivers it, and the store's unique job id makes the redelivery a no-op.
 * A request naming a secret Swarm lacks is rejected too; one whose env looks like a credential is
 * stored with a warning. The jobs a request waits for must be in the store already, named by id or
 * unambiguous prefix; they are stored by their whole ids.
 */
final class Intake
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(Intake.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration OUTAGE_LOG_INTERVAL = Duration.ofMinutes(1);

    private final JobQueue queue;
    private final JobStore store;
    private final RequestParser parser;
    private final Swarm swarm;
    private final Runnable onNewJob;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration longPoll;
    private final Duration visibility;
    private final FailPoints failPoints;
    private final BerthMetrics metrics;
    private volatile boolean running;
    private Thread thread;

    /** @param visibility how long a received message stays hidden from other consumers before SQS hands it out again */
    Intake(JobQueue queue, JobStore store, RequestParser parser, Swarm swarm, Runnable onNewJob, Clock clock, Sleeper sleeper, Duration longPoll,
            Duration visibility, FailPoints failPoints, BerthMetrics metrics)
    {
        this.queue = requireNonNull(queue, "queue is null");
        this.store = requireNonNull(store, "store is null");
        this.parser = requireNonNull(parser, "parser is null");
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.onNewJob = requireNonNull(onNewJob, "onNewJob is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.longPoll = requireNonNull(longPoll, "longPoll is null");
        this.visibility = requireNonNull(visibility, "visibility is null");
        this.failPoints = requireNonNull(failPoints, "failPoints is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    void start()
    {
        running = true;
        thread = new Thread(this::loop, "berth-intake");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop()
    {
        Duration backoff = Duration.ofSeconds(1);
        Instant outageSince = null;
        Instant outageLogged = Instant.MIN;
        while (running) {
            try {
                List<QueueMessage> messages = queue.receive(longPoll, visibility);
                if (outageSince != null) {
                    log.info("Queue reachable again after {} s", Duration.between(outageSince, clock.instant()).toSeconds());
                    outageSince = null;
                    backoff = Duration.ofSeconds(1);
                }
                handle(messages);
            }
            catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                Instant now = clock.instant();
                if (outageSince == null) {
                    outageSince = now;
                }
                if (Duration.between(outageLogged, now).compareTo(OUTAGE_LOG_INTERVAL) >= 0) {
                    log.warn("Cannot read the job queue {} (retrying with backoff; running jobs are still watched): {}",
                            queue.describe(), e.getMessage());
                    outageLogged = now;
                }
                try {
                    sleeper.sleep(backoff);
                }
                catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Stores each message's job, then deletes the messages that are safely recorded, in one call. */
    void handle(List<QueueMessage> messages)
    {
        Instant receivedAt = clock.instant();
        List<QueueMessage> done = new ArrayList<>();
        SecretCheck secrets = new SecretCheck(swarm);
        boolean created = false;
        for (int i = 0; i < messages.size(); i++) {
            QueueMessage message = messages.get(i);
            if (Duration.between(receivedAt, clock.instant()).compareTo(visibility.dividedBy(2)) > 0) {
                // Storing is slow (a busy disk): keep the rest hidden so another consumer does not take them meanwhile.
                queue.extendVisibility(messages.subList(i, messages.size()), visibility);
                receivedAt = clock.instant();
            }
            try {
                created |= store(message, secrets);
                done.add(message);
            }
            catch (StoreException e) {
                log.warn("Cannot store message {}; it will be redelivered: {}", message.messageId(), e.getMessage());
            }
        }
        if (created) {
            onNewJob.run();
        }
        failPoints.reach(FailPoints.AFTER_STORE);
        List<String> undeleted = queue.delete(done);
        if (!undeleted.isEmpty()) {
            log.warn("SQS did not delete messages {}; their jobs are stored, so a redelivery is ignored", undeleted);
        }
    }

    private boolean store(QueueMessage message, SecretCheck secrets)
    {
        String fallbackId = idFor(message.messageId());
        JobRequest request;
        try {
            request = parser.parse(message.body(), fallbackId);
        }
        catch (InvalidRequestException e) {
            reject(message, fallbackId, e.getMessage());
            return false;
        }
        if (request.user().isEmpty() && message.user().isPresent()) {
            Optional<String> problem = JobRequest.userProblem(message.user().get());
            if (problem.isPresent()) {
                reject(message, fallbackId, "message attribute " + QueueMessage.USER_ATTRIBUTE + " " + problem.get()
                        + "; send a valid one, or name the user in the request's \"user\" field");
                return false;
            }
            request = request.forUser(message.user().get());
        }
        Optional<String> missingSecrets = missingSecrets(request, secrets);
        // A redelivery of a job stored before its secret went is no new request: its preparation fails it
        if (missingSecrets.isPresent() && !stored(request, message)) {
            reject(message, fallbackId, missingSecrets.get());
            return false;
        }
        try {
            request = JobLookup.withDependenciesFound(store, request);
        }
        catch (InvalidRequestException e) {
            // A redelivery of a job stored before its dependency was purged is no new request
            if (!stored(request, message)) {
                reject(message, fallbackId, e.getMessage());
                return false;
            }
        }
        InsertOutcome outcome = store.writes().insert(request, message.body(), Optional.of(message.messageId()), clock.instant());
        switch (outcome) {
            case CREATED -> {
                if (request.array().isPresent()) {
                    metrics.submitted(request.array().get().size());
                    log.info("Array {} ({}[{}], {} tasks) queued: {} {} {}", request.id(), request.name(), request.array().get(),
                            request.array().get().size(), request.repo(), request.branch(), request.entrypoint());
                }
                else {
                    metrics.submitted();
                    log.info("Job {} ({}) queued: {} {} {}", request.id(), request.name(), request.repo(), request.branch(), request.entrypoint());
                }
            }
            case DUPLICATE -> log.info("Job {} was already stored; message {} is a redelivery or a resubmit", request.id(), message.messageId());
            case CONFLICT -> reject(message, fallbackId, "job_id '" + request.id() + "' is already used by a different request; choose a new job_id");
        }
        List<String> credentialKeys = EnvCredentials.suspiciousKeys(request.env());
        if (outcome == InsertOutcome.CREATED && !credentialKeys.isEmpty()) {
            // The key only: the value is what must not spread further
            log.warn("Job {}: {}", request.id(), EnvCredentials.warning(credentialKeys));
        }
        return outcome == InsertOutcome.CREATED;
    }

    /** The secrets the request names that Swarm lacks; with the engine unreachable, none: preparation checks them again. */
    private Optional<String> missingSecrets(JobRequest request, SecretCheck secrets)
    {
        try {
            return secrets.missing(request);
        }
        catch (EngineException e) {
            log.warn("Job {}: cannot check its secrets {} now; its preparation checks them: {}", request.id(), request.secrets(), e.getMessage());
            return Optional.empty();
        }
    }

    private boolean stored(JobRequest request, QueueMessage message)
    {
        return store.reads().job(request.id()).filter(job -> job.rawRequest().equals(message.body())).isPresent();
    }

    private void reject(QueueMessage message, String id, String reason)
    {
        // The dead-letter queue keeps the body as sent, for its sender; berth's own record never holds a password.
        // Under its sender's name only when that name is one berth accepts: a hostile attribute is no user
        Optional<String> user = message.user().filter(name -> JobRequest.userProblem(name).isEmpty());
        store.writes().insertRejected(id, Redaction.redactUrlCredentials(message.body()), reason, Optional.of(message.messageId()), user, clock.instant());
        queue.sendToDeadLetter(message, reason);
        log.info("Message {} rejected as job {}: {}", message.messageId(), id, reason);
    }

    /** A short id that a redelivery of the same message maps to again. */
    static String idFor(String messageId)
    {
        return "m" + Sha256.hex(messageId).substring(0, 12);
    }

    @Override
    public void close()
    {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
