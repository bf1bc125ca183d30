package dev.berth.repo;

import static java.util.Objects.requireNonNull;

/**
 * A job's checkout.
 *
 * @param commit the full SHA-1 checked out (HEAD, detached)
 * @param fetched whether the mirror had to fetch from the remote to get it
 */
public record Checkout(String commit, boolean fetched)
{
    public Checkout
    {
        requireNonNull(commit, "commit is null");
    }
}
