package dev.berth.repo;

import dev.berth.config.GitCredentials;
import org.eclipse.jgit.api.TransportCommand;

import java.time.Duration;
import java.util.Optional;

import static dev.berth.repo.RepoException.Kind.UNREACHABLE;
import static java.util.Objects.requireNonNull;

/**
 * How berth speaks to a remote, for listings and fetches alike: how long it may stay silent, the
 * credentials (never in the URL), and what a failure says, which names the remote and never the token.
 */
final class RemoteAccess
{
    private final GitCredentials credentials;
    private final CredentialsConfig transportConfig;
    private final int timeoutSeconds;

    /** @param timeout how long a remote may stay silent before a listing or fetch gives up on it */
    RemoteAccess(GitCredentials credentials, Duration timeout)
    {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.transportConfig = new CredentialsConfig(credentials);
        this.timeoutSeconds = (int) Math.max(1, requireNonNull(timeout, "timeout is null").toSeconds());
    }

    int timeoutSeconds()
    {
        return timeoutSeconds;
    }

    /** Gives {@code command} the silence timeout and the credentials. */
    <C extends TransportCommand<C, ?>> C configure(C command)
    {
        // JGit applies the timeout to each network read or write, not to the whole transfer
        return command
                .setTimeout(timeoutSeconds)
                .setTransportConfigCallback(transportConfig);
    }

    RepoException unreachable(RepoUrl url, Exception e)
    {
        String reason = reason(e);
        // JGit starts most messages with the URL, which this message already names
        if (reason.startsWith(url.uri() + ": ")) {
            reason = reason.substring(url.uri().length() + 2);
        }
        return new RepoException(UNREACHABLE, "could not reach repository " + url + ": " + withoutSecrets(reason), e);
    }

    private static String reason(Throwable e)
    {
        // JGit wraps the useful message (e.g. "Connection refused", "not authorized") a level or two down
        Throwable deepest = e;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String top = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
        String root = Optional.ofNullable(deepest.getMessage()).orElse(deepest.getClass().getSimpleName());
        return deepest == e || top.contains(root) ? top : top + " (" + root + ")";
    }

    private String withoutSecrets(String message)
    {
        // Defence in depth: the token is never put into a URL, but a transport must not be able to leak it either
        return credentials.token().filter(token -> !token.isEmpty()).map(token -> message.replace(token, "****")).orElse(message);
    }
}
