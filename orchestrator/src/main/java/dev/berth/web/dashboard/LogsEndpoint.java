package dev.berth.web.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.rundir.JobLogs;
import dev.berth.rundir.LogFollower;
import dev.berth.rundir.LogRead;
import dev.berth.rundir.UnsafeRunDirException;
import dev.berth.store.JobReads;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/v1/jobs/{id}/logs?stream=stdout|stderr&offset=N[&attempt=K][&follow=true]}: one
 * attempt's output (default: the latest attempt's stdout) from byte {@code offset} (default 0), at most
 * {@link #MAX_ANSWER} bytes of it, as {@code text/plain}, with headers {@code Berth-Attempt} (the attempt
 * read; 0 when none has been prepared yet), {@code Berth-Next-Offset} (where the next request starts) and
 * {@code Berth-Ended} ({@code true} when that attempt's output is complete, as its job ended or a later
 * attempt began, and read to its end). With {@code follow=true}, a stream of server-sent events from there
 * on, across attempts, until the job ends (see {@link LogStream}). Files are read only through
 * {@link JobLogs}: a link the job put in place of its output is refused (403), never followed.
 */
final class LogsEndpoint
{
    /** Long logs are read a megabyte at a time, {@code Berth-Next-Offset} saying where to go on. */
    static final int MAX_ANSWER = 1 << 20;
    private static final Pattern LAST_EVENT = Pattern.compile("([0-9]{1,9}):([0-9]{1,18})");

    private final JobReads reads;
    private final ScheduledExecutorService executor;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<SseClient> streams = ConcurrentHashMap.newKeySet();

    LogsEndpoint(JobReads reads, ScheduledExecutorService executor)
    {
        this.reads = requireNonNull(reads, "reads is null");
        this.executor = requireNonNull(executor, "executor is null");
    }

    void logs(Context context)
    {
        try {
            answer(context);
        }
        catch (ApiException e) {
            error(context, e.status, Optional.ofNullable(e.field), e.getMessage());
        }
        catch (UnsafeRunDirException e) {
            error(context, HttpStatus.FORBIDDEN, Optional.empty(), e.getMessage());
        }
        catch (IOException e) {
            error(context, HttpStatus.INTERNAL_SERVER_ERROR, Optional.empty(), "cannot read the job's output: " + e.getMessage());
        }
    }

    private void answer(Context context)
            throws IOException
    {
        String id = context.pathParam("id");
        Job job = reads.job(id).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "id", "there is no job " + id));
        String stream = Optional.ofNullable(context.queryParam("stream")).orElse("stdout");
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "stream", "stream is '" + stream + "': give stdout or stderr");
        }
        String fileName = stream.equals("stdout") ? JobLogs.STDOUT : JobLogs.STDERR;
        Optional<Integer> current = job.runDir().isEmpty() ? Optional.empty() : JobLogs.currentAttempt(job.runDir().get(), fileName);
        long offset = number(context, "offset", 0, Long.MAX_VALUE).orElse(0L);
        // The run dir links to an attempt as it is prepared, a moment before the attempt is recorded
        Optional<Long> attempt = number(context, "attempt", 1, Math.max(1, Math.max(job.attempts(), current.orElse(0))));
        boolean follow = flag(context, "follow");

        if (follow) {
            LogFollower follower = resumed(context, fileName)
                    .orElseGet(() -> new LogFollower(fileName, attempt.map(Long::intValue).orElse(current.orElse(0)), attempt.isPresent() || current.isPresent() ? offset : 0));
            SseClient client = EventStreams.open(context);
            streams.add(client);
            client.onClose(() -> streams.remove(client));
            new LogStream(reads, job.id(), follower, client, executor, mapper).start();
            return;
        }
        int number = attempt.map(Long::intValue).or(() -> current).orElse(0);
        boolean ended = job.state().terminal() || current.map(latest -> number < latest).orElse(false);
        Path file = number == 0 || job.runDir().isEmpty() ? null : JobLogs.ofAttempt(job.runDir().get(), number, fileName);
        LogRead read = file == null || !Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? new LogRead("", 0, 0) : JobLogs.read(file, offset, MAX_ANSWER, ended);
        if (offset > read.size()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "offset", "offset " + offset + " is past the end of attempt " + number + "'s " + stream
                    + " (" + read.size() + " bytes): give at most " + read.size());
        }
        context.header("Berth-Attempt", String.valueOf(number));
        context.header("Berth-Next-Offset", String.valueOf(Math.max(offset, read.nextOffset())));
        context.header("Berth-Ended", String.valueOf(ended && read.atEnd()));
        context.contentType("text/plain; charset=utf-8");
        context.result(read.text());
    }

    /** Ends the streams still open, as berth stops. */
    void close()
    {
        streams.forEach(SseClient::close);
    }

    /** Where a browser's stream stood when it lost its connection: {@code Last-Event-ID}, {@code attempt:offset}. */
    private static Optional<LogFollower> resumed(Context context, String fileName)
    {
        Matcher matcher = LAST_EVENT.matcher(Optional.ofNullable(context.header("Last-Event-ID")).orElse(""));
        if (!matcher.matches() || Integer.parseInt(matcher.group(1)) == 0) {
            return Optional.empty();
        }
        return Optional.of(new LogFollower(fileName, Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(2))));
    }

    private static Optional<Long> number(Context context, String name, long least, long most)
    {
        String value = context.queryParam(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            long number = Long.parseLong(value.strip());
            if (number >= least && number <= most) {
                return Optional.of(number);
            }
        }
        catch (NumberFormatException e) {
            // said below
        }
        throw new ApiException(HttpStatus.BAD_REQUEST, name, name + " is '" + value + "': give a whole number from " + least
                + (most == Long.MAX_VALUE ? " up" : " to " + most) + (name.equals("attempt") ? ", one of the job's attempts" : ""));
    }

    private static boolean flag(Context context, String name)
    {
        String value = context.queryParam(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new ApiException(HttpStatus.BAD_REQUEST, name, name + " is '" + value + "': give true or false");
    }

    private void error(Context context, HttpStatus status, Optional<String> field, String message)
    {
        Map<String, String> body = new LinkedHashMap<>();
        field.ifPresent(name -> body.put("field", name));
        body.put("error", message);
        context.status(status).json(body);
    }

    /** A request the endpoint cannot answer: its status, the parameter at fault, and what to give instead. */
    private static final class ApiException
            extends RuntimeException
    {
        private final HttpStatus status;
        private final String field;

        ApiException(HttpStatus status, String field, String message)
        {
            super(message);
            this.status = status;
            this.field = field;
        }
    }
}
