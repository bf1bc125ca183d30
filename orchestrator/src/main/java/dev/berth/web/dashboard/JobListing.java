package dev.berth.web.dashboard;

import dev.berth.job.JobState;
import dev.berth.repo.RepoUrl;
import dev.berth.store.JobFilter;
import io.javalin.http.HttpStatus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * What the jobs page was asked for, from its query: the filter ({@code state}, which may repeat, {@code
 * name}, {@code repo}, {@code user}) and where the page starts ({@code before} or {@code after} a job's {@code seq}).
 * It is also the filter form's GET, so links to the pages before and after keep the filter.
 */
record JobListing(JobFilter filter, OptionalLong before, OptionalLong after)
{
    /** Longer filter text is no one's typing: it is refused rather than searched for. */
    private static final int MAX_TEXT = 200;

    JobListing
    {
        requireNonNull(filter, "filter is null");
        requireNonNull(before, "before is null");
        requireNonNull(after, "after is null");
    }

    /** @throws PageException (400) naming the parameter and what it takes */
    static JobListing parse(Map<String, List<String>> query)
    {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        for (String value : query.getOrDefault("state", List.of())) {
            if (!value.isBlank()) {
                states.add(state(value.strip()));
            }
        }
        OptionalLong before = position(query, "before");
        OptionalLong after = position(query, "after");
        if (before.isPresent() && after.isPresent()) {
            throw new PageException(HttpStatus.BAD_REQUEST, "give before or after, not both: a page starts at one place");
        }
        return new JobListing(new JobFilter(states, text(query, "name"), text(query, "repo").map(JobListing::repo), text(query, "user")), before, after);
    }

    /** A repository in any of the forms a request may name it, as the store keeps it, so the two compare. */
    private static String repo(String value)
    {
        try {
            return RepoUrl.parse(value).toString();
        }
        catch (IllegalArgumentException e) {
            throw new PageException(HttpStatus.BAD_REQUEST, "repo: " + e.getMessage());
        }
    }

    private static JobState state(String value)
    {
        try {
            return JobState.valueOf(value.toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new PageException(HttpStatus.BAD_REQUEST, "state '" + value + "' is not a job state: give one of "
                    + Arrays.stream(JobState.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    private static Optional<String> text(Map<String, List<String>> query, String name)
    {
        List<String> values = query.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw new PageException(HttpStatus.BAD_REQUEST, name + " is given " + values.size() + " times: give it once");
        }
        Optional<String> text = values.stream().map(String::strip).filter(value -> !value.isEmpty()).findFirst();
        if (text.isPresent() && text.get().length() > MAX_TEXT) {
            throw new PageException(HttpStatus.BAD_REQUEST, name + " is " + text.get().length() + " characters long: give at most " + MAX_TEXT);
        }
        return text;
    }

    private static OptionalLong position(Map<String, List<String>> query, String name)
    {
        List<String> values = query.getOrDefault(name, List.of());
        if (values.isEmpty() || values.get(0).isBlank()) {
            return OptionalLong.empty();
        }
        try {
            long seq = Long.parseLong(values.get(0).strip());
            if (seq >= 0 && values.size() == 1) {
                return OptionalLong.of(seq);
            }
        }
        catch (NumberFormatException e) {
            // said below
        }
        throw new PageException(HttpStatus.BAD_REQUEST, name + " must be one job's position, a whole number as the page's own links give it, not '"
                + String.join(",", values) + "'");
    }

    /** The filter as query parameters, in a stable order, without the page's start. */
    List<Map.Entry<String, String>> filterParameters()
    {
        List<Map.Entry<String, String>> parameters = new ArrayList<>();
        filter.states().stream().sorted().forEach(state -> parameters.add(Map.entry("state", state.name())));
        filter.name().ifPresent(name -> parameters.add(Map.entry("name", name)));
        filter.repo().ifPresent(repo -> parameters.add(Map.entry("repo", repo)));
        filter.user().ifPresent(user -> parameters.add(Map.entry("user", user)));
        return parameters;
    }
}
