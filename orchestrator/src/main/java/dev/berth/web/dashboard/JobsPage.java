package dev.berth.web.dashboard;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.store.JobReads;
import dev.berth.web.Pages;
import io.javalin.http.Context;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The jobs page ({@code /}): newest first, filtered by its form, a page at a time by {@code seq}; and
 * its table alone ({@code /fragments/jobs}), which the page fetches again when the store changes.
 */
final class JobsPage
{
    static final int PAGE = 50;

    private final JobReads reads;
    private final Pages pages;
    private final Clock clock;

    JobsPage(JobReads reads, Pages pages, Clock clock)
    {
        this.reads = requireNonNull(reads, "reads is null");
        this.pages = requireNonNull(pages, "pages is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void page(Context context)
    {
        pages.render(context, "jobs.jte", Map.of("view", view(context)));
    }

    void table(Context context)
    {
        pages.render(context, "jobs_table.jte", Map.of("view", view(context)));
    }

    JobsView view(Context context)
    {
        JobListing listing = JobListing.parse(context.queryParamMap());
        // Read before the jobs: a change made while they are read moves the marker past this one, so the page refreshes
        long marker = reads.changeMarker();
        Instant now = clock.instant();
        List<Job> jobs;
        boolean newer;
        boolean older;
        List<Job> above = listing.after().isPresent() ? reads.oldestMatching(listing.filter(), listing.after().getAsLong(), PAGE + 1) : List.of();
        if (above.size() > PAGE) {
            jobs = new ArrayList<>(above.subList(0, PAGE));
            Collections.reverse(jobs);
            newer = true;
            older = true;
        }
        else {
            // From the newest when asked to, or when fewer than a page are newer than where the page was to start
            long before = listing.before().orElse(Long.MAX_VALUE);
            List<Job> below = reads.newestMatching(listing.filter(), before, PAGE + 1);
            jobs = below.subList(0, Math.min(PAGE, below.size()));
            newer = listing.before().isPresent();
            older = below.size() > PAGE;
        }
        List<Map.Entry<String, String>> filter = listing.filterParameters();
        return new JobsView(
                listing.filter().name().orElse(""),
                listing.filter().repo().orElse(""),
                listing.filter().user().orElse(""),
                stateChoices(listing.filter().states()),
                counts(listing),
                jobs.stream().map(job -> JobRow.of(job, now)).toList(),
                newer && !jobs.isEmpty() ? Optional.of(Formats.link("/", with(filter, "after", jobs.get(0).seq()))) : Optional.empty(),
                older ? Optional.of(Formats.link("/", with(filter, "before", jobs.get(jobs.size() - 1).seq()))) : Optional.empty(),
                newer ? Optional.of(Formats.link("/", filter)) : Optional.empty(),
                Formats.link("/fragments/jobs", cursorOf(listing, filter)),
                marker);
    }

    private static List<Map.Entry<String, String>> cursorOf(JobListing listing, List<Map.Entry<String, String>> filter)
    {
        if (listing.before().isPresent()) {
            return with(filter, "before", listing.before().getAsLong());
        }
        if (listing.after().isPresent()) {
            return with(filter, "after", listing.after().getAsLong());
        }
        return filter;
    }

    private static List<Map.Entry<String, String>> with(List<Map.Entry<String, String>> filter, String name, long seq)
    {
        List<Map.Entry<String, String>> parameters = new ArrayList<>(filter);
        parameters.add(Map.entry(name, String.valueOf(seq)));
        return parameters;
    }

    private static List<JobsView.Choice> stateChoices(Set<JobState> chosen)
    {
        List<JobsView.Choice> choices = new ArrayList<>();
        choices.add(new JobsView.Choice("", "any state", "", chosen.isEmpty()));
        for (JobState state : JobState.values()) {
            choices.add(new JobsView.Choice(state.name(), state.name(), "", chosen.equals(Set.of(state))));
        }
        return choices;
    }

    /** Each state's count, as a link to the same filter in that state alone; every state's first. */
    private List<JobsView.Choice> counts(JobListing listing)
    {
        Map<JobState, Integer> byState = reads.countByState();
        List<Map.Entry<String, String>> others = listing.filterParameters().stream().filter(entry -> !entry.getKey().equals("state")).toList();
        List<JobsView.Choice> counts = new ArrayList<>();
        counts.add(new JobsView.Choice("", "all " + byState.values().stream().mapToLong(Integer::longValue).sum(), Formats.link("/", others),
                listing.filter().states().isEmpty()));
        for (JobState state : JobState.values()) {
            int count = byState.getOrDefault(state, 0);
            if (count > 0) {
                List<Map.Entry<String, String>> parameters = new ArrayList<>(others);
                parameters.add(0, Map.entry("state", state.name()));
                counts.add(new JobsView.Choice(state.name(), state.name() + " " + count, Formats.link("/", parameters),
                        listing.filter().states().equals(Set.of(state))));
            }
        }
        return counts;
    }
}
