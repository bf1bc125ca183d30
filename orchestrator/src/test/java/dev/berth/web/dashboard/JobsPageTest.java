package dev.berth.web.dashboard;

import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class JobsPageTest
{
    private static final Pattern JOB_ROW = Pattern.compile("<tr data-job=\"([^\"]+)\">");
    private static final Pattern OLDER = Pattern.compile("<a href=\"([^\"]+)\" rel=\"next\">");
    private static final Pattern NEWER = Pattern.compile("<a href=\"([^\"]+)\" rel=\"prev\">");

    @TempDir
    Path temp;

    private DashboardServer dashboard;

    @BeforeEach
    void start()
    {
        dashboard = DashboardServer.start(temp, List::of);
    }

    @AfterEach
    void stop()
    {
        dashboard.close();
    }

    @Test
    void listsJobsNewestFirstWithWhereTheyStand()
            throws Exception
    {
        dashboard.submit("old-1", "\"name\": \"prep\"");
        dashboard.submit("mid-2", "\"name\": \"train\"");
        dashboard.startAttempt("mid-2", 1, "worker-7");
        dashboard.endAttempt("mid-2", 1, Lifecycle.exited(3));
        dashboard.submit("new-3", "\"name\": \"eval\"");

        HttpResponse<String> page = dashboard.get("/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(ids(page.body())).containsExactly("new-3", "mid-2", "old-1");
        assertThat(page.body())
                .contains("<td class=\"state state-FAILED\">FAILED <span class=\"cause\">exit</span></td>")
                .contains("https://github.com/org/repo")
                .contains("main <code>c0ffeec0ffee</code>")
                .contains("exited with code 3")
                .contains("FAILED 1</a>", "QUEUED 2</a>", "all 3</a>");
    }

    @Test
    void whatUsersWroteShowsAsTextNeverAsMarkup()
            throws Exception
    {
        // A name that is no name is rejected, and the reason quotes it; the params of an accepted job are theirs to choose
        dashboard.store().writes().insertRejected("bad-1", "{\"name\": \"<img src=x onerror=alert(1)>\"}",
                "name '<img src=x onerror=alert(1)>' is not valid", Optional.empty(), Optional.empty(), DashboardServer.NOW);

        HttpResponse<String> page = dashboard.get("/");

        assertThat(page.body())
                .contains(">name '&lt;img src=x onerror=alert(1)&gt;' is not valid</td>")
                .doesNotContain("<img");
    }

    @Test
    void filtersByStateNameAndRepositoryAsTheFormAsks()
            throws Exception
    {
        dashboard.submit("a", "\"name\": \"train-small\", \"user\": \"alice\"");
        dashboard.submit("b", "https://github.com/org/vision", "\"name\": \"train-big\"");
        dashboard.submit("c", "https://github.com/org/vision", "\"name\": \"eval\"");
        dashboard.store().writes().requestCancel("a", DashboardServer.NOW);

        assertThat(ids(dashboard.get("/?name=train-big").body())).containsExactly("b");
        assertThat(ids(dashboard.get("/?name=train").body())).as("a name is compared whole").isEmpty();
        assertThat(ids(dashboard.get("/?repo=github.com%2Forg%2Fvision").body())).as("a repository in any form a request may give")
                .containsExactly("c", "b");
        assertThat(ids(dashboard.get("/?name=eval&repo=https%3A%2F%2Fgithub.com%2Forg%2Fvision").body())).containsExactly("c");
        assertThat(ids(dashboard.get("/?user=alice").body())).containsExactly("a");
        assertThat(dashboard.get("/?user=alice").body()).contains("<td>alice</td>");
        assertThat(ids(dashboard.get("/?state=CANCELLED&name=").body())).containsExactly("a");
        assertThat(ids(dashboard.get("/?state=queued&state=CANCELLED").body())).containsExactly("c", "b", "a");
        assertThat(dashboard.get("/?name=train").body()).as("the form shows the filter it was given").contains("name=\"name\" value=\"train\"");
    }

    @Test
    void aBadFilterIsRefusedSayingWhatToGive()
            throws Exception
    {
        HttpResponse<String> page = dashboard.get("/?state=DONE");

        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("state 'DONE' is not a job state: give one of WAITING, QUEUED, PREPARING");
        assertThat(dashboard.get("/?before=soon").body()).contains("before must be one job's position, a whole number");
    }

    @Test
    void pagesGoOlderAndBackNewerKeepingTheFilter()
            throws Exception
    {
        for (int i = 1; i <= 120; i++) {
            dashboard.submit("job-" + i, "\"name\": \"" + (i % 2 == 0 ? "even" : "odd") + "\"");
        }

        HttpResponse<String> first = dashboard.get("/?name=even");
        assertThat(ids(first.body())).hasSize(JobsPage.PAGE).startsWith("job-120", "job-118").endsWith("job-22");
        assertThat(NEWER.matcher(first.body()).find()).as("the newest page has none newer").isFalse();

        String older = link(OLDER, first.body());
        assertThat(older).contains("name=even").contains("before=");
        HttpResponse<String> second = dashboard.get(older);
        assertThat(ids(second.body())).containsExactly("job-20", "job-18", "job-16", "job-14", "job-12", "job-10", "job-8", "job-6", "job-4", "job-2");
        assertThat(OLDER.matcher(second.body()).find()).as("the last page has none older").isFalse();

        HttpResponse<String> back = dashboard.get(link(NEWER, second.body()));
        assertThat(ids(back.body())).isEqualTo(ids(first.body()));
    }

    @Test
    void theTableAloneIsWhatThePageRefreshesWithTheMarkerItWasMadeAt()
            throws Exception
    {
        dashboard.submit("job-1", "");
        String page = dashboard.get("/?state=QUEUED").body();
        String marker = dashboard.store().reads().changeMarker() + "";
        assertThat(page).contains("data-live=\"/fragments/jobs?state=QUEUED\" data-marker=\"" + marker + "\"");

        dashboard.store().writes().moveJob("job-1", Lifecycle.admitted());
        HttpResponse<String> table = dashboard.get("/fragments/jobs?state=QUEUED");

        assertThat(table.body()).doesNotContain("<html").doesNotContain("data-job=\"job-1\"").contains("No jobs match");
        assertThat(dashboard.store().reads().job("job-1").orElseThrow().state()).isEqualTo(JobState.PREPARING);
    }

    private static List<String> ids(String html)
    {
        List<String> ids = new ArrayList<>();
        Matcher matcher = JOB_ROW.matcher(html);
        while (matcher.find()) {
            ids.add(matcher.group(1));
        }
        return ids;
    }

    private static String link(Pattern pattern, String html)
    {
        Matcher matcher = pattern.matcher(html);
        assertThat(matcher.find()).as("a link " + pattern).isTrue();
        return matcher.group(1).replace("&amp;", "&");
    }
}
