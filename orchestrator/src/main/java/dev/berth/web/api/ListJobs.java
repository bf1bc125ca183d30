package dev.berth.web.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cost.Cost;
import dev.berth.cost.CostJson;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueForecast;
import dev.berth.forecast.QueueJson;
import dev.berth.job.Job;
import dev.berth.job.JobJson;
import dev.berth.job.JobState;
import dev.berth.repo.RepoUrl;
import dev.berth.store.JobFilter;
import dev.berth.store.JobReads;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/v1/jobs}: jobs newest first, each as {@code berth list --json} prints it, a page at a
 * time. A page that may not be the last says so with {@code next}, which {@code before} takes to read
 * the one after it; jobs stored meanwhile never shift a later page, as the cursor is a job's place in
 * the store, not a count. Every filter is answered in SQL, by an index.
 */
final class ListJobs
        implements Handler
{
    static final int DEFAULT_LIMIT = 50;
    /** As many as a listing of the CLI reads from the store at a time. */
    static final int MAX_LIMIT = 500;
    private static final List<String> PARAMETERS = List.of("state", "name", "repo", "user", "limit", "before");
    private static final String STATES = Arrays.stream(JobState.values()).map(Enum::name).collect(Collectors.joining(", "));

    private final JobReads reads;
    private final RunDirExports exports;
    private final QueueForecast forecast;

    ListJobs(JobReads reads, RunDirExports exports, QueueForecast forecast)
    {
        this.reads = requireNonNull(reads, "reads is null");
        this.exports = requireNonNull(exports, "exports is null");
        this.forecast = requireNonNull(forecast, "forecast is null");
    }

    @Override
    public void handle(Context context)
    {
        for (String parameter : context.queryParamMap().keySet()) {
            if (!PARAMETERS.contains(parameter)) {
                throw ApiError.about(HttpStatus.BAD_REQUEST, parameter, "unknown parameter '" + parameter + "': a listing takes " + String.join(", ", PARAMETERS));
            }
        }
        JobFilter filter = new JobFilter(states(context), single(context, "name"), repo(context), single(context, "user"));
        int limit = single(context, "limit").map(value -> wholeNumber("limit", value, MAX_LIMIT,
                "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + value + "'")).orElse((long) DEFAULT_LIMIT).intValue();
        long before = single(context, "before").map(value -> wholeNumber("before", value, Long.MAX_VALUE,
                "before must be the 'next' of an earlier page, a whole number above 0, got '" + value + "'")).orElse(Long.MAX_VALUE);

        // One more than asked tells whether a next page holds any job
        List<Job> jobs = reads.newestMatching(filter, before, limit + 1);
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        ArrayNode page = answer.putArray("jobs");
        QueueForecast.Snapshot queue = forecast.snapshot();
        Map<String, Cost> costs = reads.costs(jobs.stream().limit(limit).map(Job::id).toList());
        jobs.stream().limit(limit).forEach(job -> {
            ObjectNode listed = JobJson.listed(job, exports);
            QueueJson.put(listed, queue.placeOf(job));
            CostJson.put(listed, costs.get(job.id()));
            page.add(listed);
        });
        if (jobs.size() > limit) {
            answer.put("next", jobs.get(limit - 1).seq());
        }
        else {
            answer.putNull("next");
        }
        context.json(answer);
    }

    /** {@code state=RUNNING,QUEUED}, in any case, given once or repeated; none given: every state. */
    private static Set<JobState> states(Context context)
    {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        for (String list : context.queryParams("state")) {
            for (String name : list.split(",", -1)) {
                try {
                    states.add(JobState.valueOf(name.strip().toUpperCase(Locale.ROOT)));
                }
                catch (IllegalArgumentException e) {
                    throw ApiError.about(HttpStatus.BAD_REQUEST, "state", "state '" + name.strip() + "' is not a job state: give one or more of "
                            + STATES + ", separated by commas");
                }
            }
        }
        return states;
    }

    /** A repository as a request names it, in any of the forms a request may use, so it compares with what the store keeps. */
    private static Optional<String> repo(Context context)
    {
        return single(context, "repo").map(value -> {
            try {
                return RepoUrl.parse(value).toString();
            }
            catch (IllegalArgumentException e) {
                throw ApiError.about(HttpStatus.BAD_REQUEST, "repo", "repo: " + e.getMessage());
            }
        });
    }

    /** A parameter that may be given once, and not empty; empty when it is not given. */
    private static Optional<String> single(Context context, String parameter)
    {
        List<String> values = context.queryParams(parameter);
        if (values.size() > 1) {
            throw ApiError.about(HttpStatus.BAD_REQUEST, parameter, parameter + " is given " + values.size() + " times: give it once");
        }
        if (values.size() == 1 && values.get(0).isBlank()) {
            throw ApiError.about(HttpStatus.BAD_REQUEST, parameter, parameter + " is empty: give a value, or leave it out");
        }
        return values.stream().findFirst();
    }

    private static long wholeNumber(String parameter, String value, long max, String problem)
    {
        try {
            long number = Long.parseLong(value.strip());
            if (number >= 1 && number <= max) {
                return number;
            }
        }
        catch (NumberFormatException e) {
            // Said below, as a number out of range is
        }
        throw ApiError.about(HttpStatus.BAD_REQUEST, parameter, problem);
    }
}
