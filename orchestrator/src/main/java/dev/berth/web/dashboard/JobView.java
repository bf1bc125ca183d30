package dev.berth.web.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.Durations;
import dev.berth.config.Sizes;
import dev.berth.job.Attempt;
import dev.berth.job.Cause;
import dev.berth.job.Dependency;
import dev.berth.job.DependencyState;
import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * A job's page: what it is (its facts, label and value), where it stands, each attempt, and the request
 * as received. Every value is text the template escapes.
 *
 * @param live not ended yet, so it can be cancelled and its page follows it
 * @param csrfToken what the cancel form sends back (see {@link CsrfTokens})
 */
public record JobView(
        String id,
        String name,
        String state,
        String cause,
        String reason,
        List<Fact> facts,
        List<Fact> times,
        List<AttemptRow> attempts,
        String request,
        boolean live,
        boolean cancelRequested,
        String csrfToken,
        String href,
        String summaryHref,
        String stdoutHref,
        String stderrHref,
        long marker)
{
    public JobView
    {
        requireNonNull(id, "id is null");
        facts = List.copyOf(facts);
        times = List.copyOf(times);
        attempts = List.copyOf(attempts);
        requireNonNull(request, "request is null");
        requireNonNull(csrfToken, "csrfToken is null");
    }

    /** One labelled value of the job's. */
    public record Fact(String label, String value) {}

    /** One attempt's line: where it ran, when, how it ended and why. */
    public record AttemptRow(int number, String state, String node, String created, String started, String finished, String runTime,
            String exitCode, String cause, String reason) {}

    static JobView of(Job job, List<Attempt> attempts, List<DependencyState> dependencies, Instant now, String csrfToken, long marker, ObjectMapper mapper)
    {
        String href = Formats.jobHref(job.id());
        String logs = "/api/v1" + href + "/logs?follow=true&attempt=1&stream=";
        return new JobView(
                job.id(),
                job.name(),
                job.state().name(),
                job.cause().map(Cause::label).orElse(""),
                job.reason().orElse(""),
                facts(job, dependencies),
                times(job, now),
                attempts.stream().map(attempt -> row(attempt, now)).toList(),
                pretty(job.rawRequest(), mapper),
                !job.state().terminal(),
                job.cancelRequested() && !job.state().terminal(),
                csrfToken,
                href,
                "/fragments" + href,
                logs + "stdout",
                logs + "stderr",
                marker);
    }

    private static List<Fact> facts(Job job, List<DependencyState> dependencies)
    {
        List<Fact> facts = new ArrayList<>();
        facts.add(new Fact("id", job.id()));
        facts.add(new Fact("user", job.user()));
        if (job.state() == JobState.WAITING) {
            facts.add(new Fact("waiting for", Lifecycle.waitingFor(dependencies)));
        }
        if (!dependencies.isEmpty()) {
            facts.add(new Fact("after", dependencies.stream().map(dependency -> dependency.dependency().jobId()
                    + (dependency.dependency().kind() == Dependency.Kind.AFTER_ANY ? " (any end)" : "")
                    + dependency.state().map(state -> ": " + state).orElse(": purged")).collect(Collectors.joining(", "))));
        }
        job.exitCode().ifPresent(code -> facts.add(new Fact("exit code", String.valueOf(code))));
        if (job.request().isPresent()) {
            JobRequest request = job.request().get();
            facts.add(new Fact("repository", request.repo().toString()));
            facts.add(new Fact("branch", request.branch()));
            facts.add(new Fact("commit", job.commit().orElse("not resolved yet")));
            facts.add(new Fact("entrypoint", request.entrypoint()));
            facts.add(new Fact("image", request.image()));
            facts.add(new Fact("image digest", job.imageRef().orElse("not pinned yet")));
            facts.add(new Fact("resources", "%s CPUs, %s memory, %d GPUs".formatted(cpus(request.resources().cpus()),
                    Sizes.format(request.resources().memoryBytes()), request.resources().gpus())));
            request.pool().ifPresent(pool -> facts.add(new Fact("pool", pool)));
            request.timeout().ifPresent(timeout -> facts.add(new Fact("timeout", Durations.format(timeout))));
            facts.add(new Fact("attempts allowed", String.valueOf(request.maxAttempts())
                    + (request.retryExitCodes().isEmpty() ? "" : ", retried on exit codes "
                    + request.retryExitCodes().stream().map(String::valueOf).collect(Collectors.joining(", ")))));
            if (!request.secrets().isEmpty()) {
                facts.add(new Fact("secrets", String.join(", ", request.secrets())));
            }
            if (!request.env().isEmpty()) {
                facts.add(new Fact("env keys", request.env().keySet().stream().sorted().collect(Collectors.joining(", "))));
            }
        }
        job.runDir().ifPresent(dir -> facts.add(new Fact("run dir", dir.toString())));
        return facts;
    }

    private static List<Fact> times(Job job, Instant now)
    {
        Instant waitEnd = job.startedAt().or(job::finishedAt).orElse(now);
        return List.of(
                new Fact("received", Formats.time(job.receivedAt())),
                new Fact("started", Formats.time(job.startedAt())),
                new Fact("finished", Formats.time(job.finishedAt())),
                new Fact("waited", Formats.duration(Duration.between(job.receivedAt(), waitEnd))),
                new Fact("ran", Formats.span(job.startedAt(), job.finishedAt(), now)));
    }

    private static AttemptRow row(Attempt attempt, Instant now)
    {
        return new AttemptRow(
                attempt.number(),
                attempt.state().name(),
                attempt.node().orElse(Formats.NONE),
                Formats.time(attempt.createdAt()),
                Formats.time(attempt.startedAt()),
                Formats.time(attempt.finishedAt()),
                Formats.span(attempt.startedAt(), attempt.finishedAt(), now),
                attempt.exitCode().map(String::valueOf).orElse(Formats.NONE),
                attempt.cause().map(Cause::label).orElse(""),
                attempt.reason().orElse(""));
    }

    private static String cpus(double cpus)
    {
        return cpus == Math.rint(cpus) ? String.valueOf((long) cpus) : String.valueOf(cpus);
    }

    /** The request as received, indented; as it came when it is no JSON (a rejected one may not be). */
    private static String pretty(String raw, ObjectMapper mapper)
    {
        if (raw.isBlank()) {
            return raw;
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.readTree(raw));
        }
        catch (JsonProcessingException e) {
            return raw;
        }
    }
}
