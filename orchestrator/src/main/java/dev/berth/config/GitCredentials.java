package dev.berth.config;

import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Credentials for private repositories. Kept out of every URL; {@link #toString()} never shows the token. */
public record GitCredentials(Optional<String> token, Optional<Path> sshKey)
{
    public GitCredentials
    {
        requireNonNull(token, "token is null");
        requireNonNull(sshKey, "sshKey is null");
    }

    public static GitCredentials none()
    {
        return new GitCredentials(Optional.empty(), Optional.empty());
    }

    @Override
    public String toString()
    {
        return "GitCredentials[token=" + (token.isPresent() ? "****" : "none") + ", sshKey=" + sshKey.map(Path::toString).orElse("none") + "]";
    }
}
