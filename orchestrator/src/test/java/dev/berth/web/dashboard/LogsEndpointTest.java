package dev.berth.web.dashboard;

import dev.berth.job.Lifecycle;
import dev.berth.rundir.JobLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogsEndpointTest
{
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
    void givesAnAttemptsOutputFromAnOffsetAndSaysWhereToGoOn()
            throws Exception
    {
        dashboard.submit("job-1", "");
        Files.writeString(dashboard.startAttempt("job-1", 1, "spot-1").resolve(JobLogs.STDOUT), "first try\n");
        dashboard.endAttempt("job-1", 1, Lifecycle.interrupted("node spot-1 went down"));
        Path second = dashboard.startAttempt("job-1", 2, "spot-2");
        Files.writeString(second.resolve(JobLogs.STDOUT), "hello €uro\n");
        Files.writeString(second.resolve(JobLogs.STDERR), "warning\n");

        HttpResponse<String> latest = dashboard.get("/api/v1/jobs/job-1/logs");
        assertThat(latest.statusCode()).isEqualTo(200);
        assertThat(latest.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(latest.body()).isEqualTo("hello €uro\n");
        assertThat(headers(latest)).containsExactly("2", "13", "false");

        HttpResponse<String> rest = dashboard.get("/api/v1/jobs/job-1/logs?offset=6");
        assertThat(rest.body()).isEqualTo("€uro\n");

        HttpResponse<String> first = dashboard.get("/api/v1/jobs/job-1/logs?attempt=1");
        assertThat(first.body()).isEqualTo("first try\n");
        assertThat(headers(first)).as("a retry began: the first attempt's output is complete").containsExactly("1", "10", "true");

        assertThat(dashboard.get("/api/v1/jobs/job-1/logs?stream=stderr").body()).isEqualTo("warning\n");

        dashboard.endAttempt("job-1", 2, Lifecycle.succeeded());
        assertThat(headers(dashboard.get("/api/v1/jobs/job-1/logs?offset=13"))).containsExactly("2", "13", "true");
    }

    @Test
    void aJobWithoutAnAttemptYetHasNoOutput()
            throws Exception
    {
        dashboard.submit("queued-1", "");

        HttpResponse<String> logs = dashboard.get("/api/v1/jobs/queued-1/logs");

        assertThat(logs.statusCode()).isEqualTo(200);
        assertThat(logs.body()).isEmpty();
        assertThat(headers(logs)).containsExactly("0", "0", "false");
    }

    @Test
    void aBadRequestNamesTheParameterAndWhatToGive()
            throws Exception
    {
        dashboard.submit("job-1", "");
        Files.writeString(dashboard.startAttempt("job-1", 1, "spot-1").resolve(JobLogs.STDOUT), "four");

        assertThat(dashboard.get("/api/v1/jobs/nope/logs")).satisfies(response -> {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).isEqualTo("{\"field\":\"id\",\"error\":\"there is no job nope\"}");
        });
        assertThat(dashboard.get("/api/v1/jobs/job-1/logs?stream=both").body())
                .isEqualTo("{\"field\":\"stream\",\"error\":\"stream is 'both': give stdout or stderr\"}");
        assertThat(dashboard.get("/api/v1/jobs/job-1/logs?offset=-1").body()).contains("\"field\":\"offset\"", "give a whole number from 0 up");
        assertThat(dashboard.get("/api/v1/jobs/job-1/logs?attempt=2").body())
                .contains("\"field\":\"attempt\"", "attempt is '2': give a whole number from 1 to 1, one of the job's attempts");
        assertThat(dashboard.get("/api/v1/jobs/job-1/logs?follow=yes").body()).contains("\"field\":\"follow\"", "give true or false");
        HttpResponse<String> past = dashboard.get("/api/v1/jobs/job-1/logs?offset=5");
        assertThat(past.statusCode()).isEqualTo(400);
        assertThat(past.body()).contains("offset 5 is past the end of attempt 1's stdout (4 bytes): give at most 4");
    }

    @Test
    void aLinkTheJobPutInPlaceOfItsOutputIsRefusedNeverFollowed()
            throws Exception
    {
        Path secret = Files.writeString(temp.resolve("manager-secret.txt"), "the manager's own file\n");
        dashboard.submit("hostile-1", "");
        Path stdout = dashboard.startAttempt("hostile-1", 1, "spot-1").resolve(JobLogs.STDOUT);
        Files.delete(stdout);
        Files.createSymbolicLink(stdout, secret);

        HttpResponse<String> logs = dashboard.get("/api/v1/jobs/hostile-1/logs");
        assertThat(logs.statusCode()).isEqualTo(403);
        assertThat(logs.body()).contains("is a symbolic link (to " + secret + ") that the job put in place of its output").doesNotContain("own file");

        List<String> events = followToTheEnd("/api/v1/jobs/hostile-1/logs?follow=true");
        assertThat(events).anySatisfy(line -> assertThat(line).isEqualTo("event: failure"));
        assertThat(String.join("\n", events)).contains("berth does not follow links in a run dir").doesNotContain("own file");
    }

    @Test
    void followingStreamsEveryAttemptThenTheEnd()
            throws Exception
    {
        dashboard.submit("job-1", "");
        Files.writeString(dashboard.startAttempt("job-1", 1, "spot-1").resolve(JobLogs.STDOUT), "first try\n");
        dashboard.endAttempt("job-1", 1, Lifecycle.interrupted("node spot-1 went down"));
        Files.writeString(dashboard.startAttempt("job-1", 2, "spot-2").resolve(JobLogs.STDOUT), "second\n");
        dashboard.endAttempt("job-1", 2, Lifecycle.succeeded());

        List<String> events = followToTheEnd("/api/v1/jobs/job-1/logs?follow=true&attempt=1");

        assertThat(events.stream().filter(line -> !line.isEmpty() && !line.startsWith(":"))).containsExactly(
                "id: 1:0", "event: attempt", "data: {\"attempt\":1}",
                "id: 1:10", "event: log", "data: {\"attempt\":1,\"text\":\"first try\\n\"}",
                "id: 2:0", "event: attempt", "data: {\"attempt\":2}",
                "id: 2:7", "event: log", "data: {\"attempt\":2,\"text\":\"second\\n\"}",
                "event: end", "data: {\"state\":\"SUCCEEDED\"}");

        List<String> resumed = followToTheEnd("/api/v1/jobs/job-1/logs?follow=true&attempt=1", "Last-Event-ID", "2:3");
        assertThat(resumed).as("a browser that reconnects resumes where its last event was")
                .contains("data: {\"attempt\":2,\"text\":\"ond\\n\"}").doesNotContain("data: {\"attempt\":1,\"text\":\"first try\\n\"}");
    }

    @Test
    void followingARunningJobSendsItsOutputAsItIsWritten()
            throws Exception
    {
        dashboard.submit("job-1", "");
        Path stdout = dashboard.startAttempt("job-1", 1, "spot-1").resolve(JobLogs.STDOUT);
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Stream<String>>> stream = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(dashboard.uri("/api/v1/jobs/job-1/logs?follow=true")).build(), HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> reading = stream.thenAccept(response -> response.body().forEach(events::add));

        Files.writeString(stdout, "step 1\n", StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("data: {\"attempt\":1,\"text\":\"step 1\\n\"}"));
        Files.writeString(stdout, "step 2\n", StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("data: {\"attempt\":1,\"text\":\"step 2\\n\"}"));
        dashboard.endAttempt("job-1", 1, Lifecycle.succeeded());

        reading.get(10, TimeUnit.SECONDS);
        assertThat(events).contains("event: end").doesNotContain("event: failure");
    }

    private List<String> followToTheEnd(String path, String... headers)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(dashboard.uri(path)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        try (Stream<String> lines = response.body()) {
            return lines.toList();
        }
    }

    private static List<String> headers(HttpResponse<String> response)
    {
        return Stream.of("Berth-Attempt", "Berth-Next-Offset", "Berth-Ended").map(name -> response.headers().firstValue(name).orElse("missing")).toList();
    }
}
