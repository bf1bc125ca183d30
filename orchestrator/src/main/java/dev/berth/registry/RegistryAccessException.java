package dev.berth.registry;

/**
 * berth cannot get at a job's image with the credentials it has: the registry refused them, asked for
 * some that berth does not have, or they cannot be read. The request's problem (cause {@code request}),
 * never retried; the message names the registry and never carries a secret.
 */
public final class RegistryAccessException
        extends RuntimeException
{
    public RegistryAccessException(String message)
    {
        super(message);
    }
}
