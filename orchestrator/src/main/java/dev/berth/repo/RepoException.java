package dev.berth.repo;

import static java.util.Objects.requireNonNull;

/** A repository could not be mirrored or checked out. The message is fit to show the user and holds no secret. */
public final class RepoException
        extends Exception
{
    public enum Kind
    {
        /** The branch does not exist in the repository: the request's fault. */
        UNKNOWN_BRANCH,
        /** The repository could not be reached or refused access: the request's fault (wrong URL, missing access). */
        UNREACHABLE,
        /** The repository offers objects git refuses, such as a tree entry named {@code .git} or {@code ..}: the request's fault. */
        REFUSED_CONTENT,
        /** The local mirror is unreadable or lacks an object it should hold: berth's fault. */
        CORRUPT_MIRROR,
        /** berth is stopping and broke off the call: nobody's fault, and the job is prepared again. */
        INTERRUPTED,
    }

    private final Kind kind;

    public RepoException(Kind kind, String message, Throwable cause)
    {
        super(requireNonNull(message, "message is null"), cause);
        this.kind = requireNonNull(kind, "kind is null");
    }

    public Kind kind()
    {
        return kind;
    }
}
