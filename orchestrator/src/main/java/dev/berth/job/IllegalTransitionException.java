package dev.berth.job;

/** A state change that {@link Lifecycle} does not allow; the store refuses to write it. */
public final class IllegalTransitionException extends RuntimeException
{
    public IllegalTransitionException(String message)
    {
        super(message);
    }
}
