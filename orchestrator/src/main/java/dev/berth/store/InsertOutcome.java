package dev.berth.store;

/** What storing a request did. */
public enum InsertOutcome
{
    /** A new job. */
    CREATED,
    /** The same job id with the same request again (a redelivery or a resubmit): nothing changed. */
    DUPLICATE,
    /** The job id is taken by a different request. */
    CONFLICT
}
