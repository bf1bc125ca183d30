package dev.berth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.ArraySummary;
import dev.berth.job.Job;
import dev.berth.job.JobJson;
import dev.berth.job.JobState;
import dev.berth.rundir.RunDirs;
import dev.berth.text.Abbreviation;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** How an array as a whole reads on a terminal and in {@code --json}: in {@code list} as one line, in {@code status} in full. */
final class ArrayViews
{
    /** The ended tasks that {@code status} names on a terminal; {@code --json} names them all. */
    private static final int UNSUCCESSFUL_SHOWN = 10;
    /** The states of tasks that ended without success. */
    static final List<JobState> UNSUCCESSFUL = List.of(JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED);

    private ArrayViews() {}

    /** The array's line in {@code list}'s table, in its columns: its counts by state where a job has its reason. */
    static List<String> row(ArraySummary array)
    {
        return List.of(
                array.id(),
                Abbreviation.abbreviate(array.label(), 24),
                array.state().name(),
                "-",
                JobViews.time(array.receivedAt()),
                "-",
                "-",
                "-",
                Abbreviation.abbreviate(tasks(array.spec().size()) + ": " + array.countsText() + array.spec().limit().map(limit -> " (at most " + limit + " at once)").orElse(""), 80));
    }

    /** {@code status ARRAY}: the array, its counts by state, where its run dirs are, and its tasks that did not succeed. */
    static String details(ArraySummary array, Path runDirs, List<Job> unsuccessful)
    {
        StringBuilder text = new StringBuilder();
        line(text, "array", array.id() + " (" + array.name() + "[" + array.spec() + "])");
        line(text, "state", array.state().name());
        line(text, "user", array.user());
        line(text, "tasks", array.spec().size() + ": " + array.countsText());
        array.spec().limit().ifPresent(limit -> line(text, "limit", "at most " + limit + " tasks queued or running at once"));
        line(text, "received", JobViews.time(array.receivedAt()));
        line(text, "run dirs", runDirs.resolve("<index>").toString());
        if (!unsuccessful.isEmpty()) {
            line(text, "unsuccessful", unsuccessful.stream().limit(UNSUCCESSFUL_SHOWN).map(ArrayViews::ended).collect(Collectors.joining(", "))
                    + (unsuccessful.size() > UNSUCCESSFUL_SHOWN ? " and " + (unsuccessful.size() - UNSUCCESSFUL_SHOWN) + " more (--json names all)" : ""));
        }
        line(text, "see", "berth list --tasks --array " + array.id() + "; one task: berth status " + array.id() + ":" + array.spec().first());
        return text.toString();
    }

    /** {@code status --json ARRAY}: {@link JobJson#array}, with {@code run_dirs} and {@code unsuccessful} (id, state, exit code of each). */
    static String json(ArraySummary array, Path runDirs, List<Job> unsuccessful)
            throws JsonProcessingException
    {
        ObjectNode node = JobJson.array(array);
        node.put("run_dirs", runDirs.toString());
        ArrayNode ended = node.putArray("unsuccessful");
        for (Job task : unsuccessful) {
            ObjectNode entry = ended.addObject().put("id", task.id()).put("index", task.task().orElseThrow().index()).put("state", task.state().name());
            task.exitCode().ifPresentOrElse(code -> entry.put("exit_code", code), () -> entry.putNull("exit_code"));
        }
        return JobViews.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    /** Where the array's tasks' run dirs are: its dir, in which each task's is its index. */
    static Path runDirs(RunDirs runDirs, ArraySummary array)
    {
        return runDirs.runDirFor(array.id(), array.name(), array.receivedAt());
    }

    /** {@code 1 task}, {@code 100 tasks}. */
    static String tasks(int count)
    {
        return count + (count == 1 ? " task" : " tasks");
    }

    private static String ended(Job task)
    {
        return task.id() + " (" + task.state() + task.exitCode().map(code -> " " + code).orElse("") + ")";
    }

    private static void line(StringBuilder text, String label, String value)
    {
        text.append(String.format("%-13s %s%n", label + ":", value));
    }
}
