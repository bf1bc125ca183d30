package dev.berth.repo;

import dev.berth.config.GitCredentials;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CredentialsConfigTest
{
    private final CredentialsConfig config = new CredentialsConfig(new GitCredentials(Optional.of("tok-123"), Optional.empty()));

    @Test
    void tokenIsTheHttpsPasswordAndNotPartOfTheUrl()
            throws Exception
    {
        URIish uri = new URIish(RepoUrl.parse("https://127.0.0.1/org/repo").uri());
        try (Transport transport = Transport.open(uri)) {
            config.configure(transport);

            CredentialItem.Username user = new CredentialItem.Username();
            CredentialItem.Password password = new CredentialItem.Password();
            assertThat(transport.getCredentialsProvider().get(uri, user, password)).isTrue();
            assertThat(new String(password.getValue())).isEqualTo("tok-123");
            assertThat(transport.getURI().toString()).doesNotContain("tok-123");
        }
    }

    @Test
    void tokenIsNotOfferedToOtherTransports()
            throws Exception
    {
        try (Transport transport = Transport.open(new URIish(RepoUrl.parse("git://127.0.0.1/org/repo").uri()))) {
            config.configure(transport);

            assertThat(transport.getCredentialsProvider()).isNull();
        }
    }
}
