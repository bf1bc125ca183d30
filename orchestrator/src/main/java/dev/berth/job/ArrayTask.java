package dev.berth.job;

import static java.util.Objects.requireNonNull;

/**
 * Which task of which array a job is: each task is a job of its own (its own attempts, run dir and state), whose
 * id is the array's, '_' and its index (as Slurm names them), and which a user may also write {@code ARRAY:INDEX}.
 */
public record ArrayTask(String arrayId, int index, ArraySpec spec)
{
    public ArrayTask
    {
        requireNonNull(arrayId, "arrayId is null");
        requireNonNull(spec, "spec is null");
    }

    /** The id of the array's task {@code index}. */
    public static String taskId(String arrayId, int index)
    {
        return arrayId + "_" + index;
    }

    /** The id a user wrote, with {@code ARRAY:INDEX} turned into the task's own id; any other text as it is. */
    public static String normalize(String idOrPrefix)
    {
        int colon = idOrPrefix.lastIndexOf(':');
        if (colon <= 0 || colon == idOrPrefix.length() - 1 || !idOrPrefix.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            return idOrPrefix;
        }
        return taskId(idOrPrefix.substring(0, colon), Integer.parseInt(idOrPrefix.substring(colon + 1)));
    }
}
