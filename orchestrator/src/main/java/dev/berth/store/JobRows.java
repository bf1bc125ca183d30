package dev.berth.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.ArraySpec;
import dev.berth.job.ArrayTask;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Claim;
import dev.berth.job.Dependency;
import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.job.JobState;
import dev.berth.job.Resources;
import dev.berth.repo.RepoUrl;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a job, its claim and its attempts are read back from their rows, and how the fields that are
 * not plain values (env, exit-code lists, secret names, optional numbers) are kept in a column.
 */
final class JobRows
{
    /** The columns {@link #job} reads. */
    static final String JOB_COLUMNS = "seq, id, name, state, cause, reason, request, repo, branch, entrypoint, params, image, "
            + "cpus, memory, gpus, env, timeout_ms, max_attempts, pool, image_ref, commit_sha, run_dir, received_at, started_at, "
            + "finished_at, exit_code, attempts, cancel_requested, retry_exit_codes, secrets, user, stop_grace_ms, pinned_commit, rerun_of, priority, "
            + "array_id, array_index, array_spec, "
            // (one seek of job_dependencies' key per job: most jobs have none, so it finds nothing)
            + "(SELECT group_concat(kind || ' ' || depends_on, ',') FROM job_dependencies WHERE job_dependencies.job_id = jobs.id) AS dependencies";
    /** The columns {@link #claim} reads: plain ones only, so a claim costs no parse of the request. */
    static final String CLAIM_COLUMNS = "seq, id, state, cpus, memory, gpus, pool, timeout_ms, attempts, cancel_requested, user, priority, started_at";

    private JobRows() {}

    static Claim claim(ResultSet rows)
            throws SQLException
    {
        return new Claim(
                rows.getLong("seq"),
                rows.getString("id"),
                JobState.valueOf(rows.getString("state")),
                new Resources(rows.getDouble("cpus"), rows.getLong("memory"), rows.getInt("gpus")),
                Optional.ofNullable(rows.getString("pool")),
                optionalLong(rows, "timeout_ms").map(Duration::ofMillis),
                rows.getInt("attempts"),
                rows.getInt("cancel_requested") != 0,
                rows.getString("user"),
                rows.getInt("priority"),
                optionalLong(rows, "started_at").map(Instant::ofEpochMilli));
    }

    static Job job(ResultSet rows)
            throws SQLException
    {
        JobState state = JobState.valueOf(rows.getString("state"));
        String arrayId = rows.getString("array_id");
        Optional<ArrayTask> task = arrayId == null ? Optional.empty()
                : Optional.of(new ArrayTask(arrayId, rows.getInt("array_index"), spec(rows.getString("array_spec"))));
        Optional<JobRequest> request = Optional.empty();
        if (state != JobState.REJECTED) {
            request = Optional.of(new JobRequest(
                    rows.getString("id"),
                    rows.getString("name"),
                    RepoUrl.parse(rows.getString("repo")),
                    rows.getString("branch"),
                    rows.getString("entrypoint"),
                    Optional.ofNullable(rows.getString("params")),
                    rows.getString("image"),
                    new Resources(rows.getDouble("cpus"), rows.getLong("memory"), rows.getInt("gpus")),
                    readEnv(rows.getString("env")),
                    optionalLong(rows, "timeout_ms").map(Duration::ofMillis),
                    optionalLong(rows, "stop_grace_ms").map(Duration::ofMillis).orElse(JobRequest.DEFAULT_STOP_GRACE),
                    rows.getInt("max_attempts"),
                    readCodes(rows.getString("retry_exit_codes")),
                    Optional.ofNullable(rows.getString("pool")),
                    readNames(rows.getString("secrets")),
                    Optional.of(rows.getString("user")),
                    Optional.ofNullable(rows.getString("pinned_commit")),
                    Optional.ofNullable(rows.getString("rerun_of")),
                    rows.getInt("priority"),
                    readDependencies(rows.getString("dependencies")),
                    task.map(ArrayTask::spec)));
        }
        return new Job(
                rows.getLong("seq"),
                rows.getString("id"),
                rows.getString("name"),
                state,
                Optional.ofNullable(rows.getString("cause")).map(JobRows::cause),
                Optional.ofNullable(rows.getString("reason")),
                request,
                rows.getString("request"),
                Optional.ofNullable(rows.getString("image_ref")),
                Optional.ofNullable(rows.getString("commit_sha")),
                Optional.ofNullable(rows.getString("run_dir")).map(Path::of),
                Instant.ofEpochMilli(rows.getLong("received_at")),
                optionalLong(rows, "started_at").map(Instant::ofEpochMilli),
                optionalLong(rows, "finished_at").map(Instant::ofEpochMilli),
                optionalLong(rows, "exit_code").map(Long::intValue),
                rows.getInt("attempts"),
                rows.getInt("cancel_requested") != 0,
                rows.getString("user"),
                task);
    }

    /** An array's range as stored: written by {@link ArraySpec#toString}, so always one. */
    static ArraySpec spec(String text)
    {
        try {
            return ArraySpec.parse("array_spec", text);
        }
        catch (ArraySpec.BadRange e) {
            throw new IllegalStateException("corrupt array_spec column: " + e.getMessage(), e);
        }
    }

    static Attempt attempt(ResultSet rows)
            throws SQLException
    {
        return new Attempt(
                rows.getString("job_id"),
                rows.getInt("number"),
                rows.getString("service_name"),
                AttemptState.valueOf(rows.getString("state")),
                Optional.ofNullable(rows.getString("node")),
                Optional.ofNullable(rows.getString("cause")).map(JobRows::cause),
                Optional.ofNullable(rows.getString("reason")),
                optionalLong(rows, "exit_code").map(Long::intValue),
                Instant.ofEpochMilli(rows.getLong("created_at")),
                optionalLong(rows, "started_at").map(Instant::ofEpochMilli),
                optionalLong(rows, "finished_at").map(Instant::ofEpochMilli));
    }

    static Cause cause(String label)
    {
        return Cause.valueOf(label.toUpperCase(Locale.ROOT));
    }

    /** The env column: NULL for none. */
    static String writeEnv(Map<String, String> env)
            throws JsonProcessingException
    {
        return env.isEmpty() ? null : EnvJson.MAPPER.writeValueAsString(env);
    }

    private static Map<String, String> readEnv(String json)
    {
        try {
            // Most jobs set no env: reading them needs no JSON mapper, whose set-up is a good part of a short command's start
            return json == null || json.equals("{}") ? Map.of() : EnvJson.MAPPER.readValue(json, new TypeReference<Map<String, String>>() {});
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt env column: " + e.getOriginalMessage(), e);
        }
    }

    /** Made on first use only. */
    private static final class EnvJson
    {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** Exit codes as "75,76": NULL for none, which is also what rows stored before the column existed hold. */
    static String writeCodes(Set<Integer> codes)
    {
        return codes.isEmpty() ? null : codes.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static Set<Integer> readCodes(String text)
    {
        return text == null ? Set.of() : Arrays.stream(text.split(",")).map(Integer::valueOf).collect(Collectors.toSet());
    }

    /** Secret names as "a,b" (a name holds no comma): NULL for none, which is also what rows stored before the column existed hold. */
    static String writeNames(List<String> names)
    {
        return names.isEmpty() ? null : String.join(",", names);
    }

    private static List<String> readNames(String text)
    {
        return text == null ? List.of() : List.of(text.split(","));
    }

    /** The dependencies column as {@link #JOB_COLUMNS} makes it, "after a1,after_any b2" (ids and kinds hold no space or comma): NULL for none. */
    private static List<Dependency> readDependencies(String text)
    {
        return text == null ? List.of() : Arrays.stream(text.split(",")).map(entry -> entry.split(" ", 2))
                .map(parts -> new Dependency(parts[1], Dependency.Kind.ofField(parts[0]))).toList();
    }

    static Optional<Long> optionalLong(ResultSet rows, String column)
            throws SQLException
    {
        long value = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(value);
    }
}
