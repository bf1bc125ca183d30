package dev.berth.repo;

import dev.berth.config.GitCredentials;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.eclipse.jgit.util.FS;

import java.io.File;
import java.util.List;
import java.util.Optional;

/**
 * Hands the configured credentials to JGit's transports, never through the URL: the token only to https, the
 * SSH key only to ssh. SSH host keys are checked against the user's {@code ~/.ssh/known_hosts}.
 */
final class CredentialsConfig
        implements TransportConfigCallback
{
    // Git hosts ignore the user name when the password is a token; GitHub documents this name for tokens
    private static final String TOKEN_USER = "x-access-token";

    private final Optional<CredentialsProvider> https;
    private final Optional<SshSessionFactory> ssh;

    CredentialsConfig(GitCredentials credentials)
    {
        this.https = credentials.token().map(token -> new UsernamePasswordCredentialsProvider(TOKEN_USER, token));
        this.ssh = credentials.sshKey().map(key -> {
            File home = FS.DETECTED.userHome();
            return new SshdSessionFactoryBuilder()
                    .setHomeDirectory(home)
                    .setSshDirectory(new File(home, ".ssh"))
                    .setDefaultIdentities(ignored -> List.of(key))
                    .build(null);
        });
    }

    @Override
    public void configure(Transport transport)
    {
        if (transport instanceof TransportHttp) {
            https.ifPresent(transport::setCredentialsProvider);
        }
        if (transport instanceof SshTransport sshTransport) {
            ssh.ifPresent(sshTransport::setSshSessionFactory);
        }
    }
}
