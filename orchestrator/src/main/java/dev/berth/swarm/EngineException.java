package dev.berth.swarm;

/** The Docker engine could not be reached or refused a request; berth treats this as an infrastructure fault. */
public final class EngineException extends RuntimeException
{
    private final int status;

    public EngineException(String message, int status)
    {
        super(message);
        this.status = status;
    }

    public EngineException(String message, Throwable cause)
    {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status the engine answered with, or 0 when it did not answer. */
    public int status()
    {
        return status;
    }
}
