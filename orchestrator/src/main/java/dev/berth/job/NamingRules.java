package dev.berth.job;

import dev.berth.text.Abbreviation;

import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/** The rules for how a job is named, placed and owned: {@code job_id}, {@code name}, {@code pool} and {@code user}, each optional. */
final class NamingRules
{
    static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,47}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern POOL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    /** A login or IAM-style name: what fair share and the listings group by. */
    static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}");
    static final String USER_RULE = "1-64 letters, digits, '_', '.', '@' or '-', starting with a letter, digit or '_'";
    /** A name made from an entrypoint keeps this many characters of its file name, then '…'. */
    private static final int DEFAULT_NAME_KEPT = 64;

    private final RequestFields fields;

    NamingRules(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    Optional<String> jobId()
    {
        return fields.matching("job_id", JOB_ID, "1-48 letters, digits, '_' or '-', starting with a letter or digit");
    }

    Optional<String> name()
    {
        return fields.matching("name", NAME, "1-64 letters, digits, '_', '.' or '-'");
    }

    Optional<String> pool()
    {
        return fields.matching("pool", POOL, "a node pool label such as spot, burst or gpu (lower case)");
    }

    /** The job this one runs again, as {@code berth rerun} says: shown by status, never looked up. */
    Optional<String> rerunOf()
    {
        return fields.matching("rerun_of", JOB_ID, "a job id");
    }

    Optional<String> user()
    {
        return fields.matching("user", USER, USER_RULE);
    }

    /** The name of a job that gives none: its entrypoint's file name without the extension. */
    static String defaultName(String entrypoint)
    {
        String file = entrypoint.substring(entrypoint.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        String stem = (dot > 0 ? file.substring(0, dot) : file).replaceAll("[^A-Za-z0-9_.-]", "-");
        return stem.isEmpty() || !Character.isLetterOrDigit(stem.charAt(0)) ? "job" : Abbreviation.abbreviate(stem, DEFAULT_NAME_KEPT + 1);
    }
}
