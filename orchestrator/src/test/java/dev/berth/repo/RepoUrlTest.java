package dev.berth.repo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepoUrlTest
{
    private static final Path ROOT = Path.of("/mirrors");

    @Test
    void schemeLessMeansHttps()
    {
        RepoUrl url = RepoUrl.parse("github.com/org/repo");
        assertThat(url.uri()).isEqualTo("https://github.com/org/repo");
        assertThat(url.mirrorPath(ROOT)).isEqualTo(Path.of("/mirrors/github.com/org/repo.git"));
    }

    @Test
    void httpsKeepsTheServerPathButSharesTheMirrorWithAndWithoutDotGit()
    {
        RepoUrl url = RepoUrl.parse("https://GitHub.com/org/repo.git/");
        assertThat(url.uri()).isEqualTo("https://github.com/org/repo.git");
        assertThat(url.toString()).isEqualTo("https://github.com/org/repo.git");
        assertThat(url.mirrorPath(ROOT)).isEqualTo(RepoUrl.parse("https://github.com/org/repo").mirrorPath(ROOT));
    }

    @Test
    void sshWithUserAndPort()
    {
        RepoUrl url = RepoUrl.parse("ssh://git@git.example.com:2222/team/tool.git");
        assertThat(url.uri()).isEqualTo("ssh://git@git.example.com:2222/team/tool.git");
        assertThat(url.mirrorPath(ROOT)).isEqualTo(Path.of("/mirrors/git.example.com_2222/team/tool.git"));
    }

    @Test
    void scpLikeIsSshAndSharesTheHttpsMirror()
    {
        RepoUrl url = RepoUrl.parse("git@github.com:org/repo.git");
        assertThat(url.uri()).isEqualTo("ssh://git@github.com/org/repo.git");
        assertThat(url.mirrorPath(ROOT)).isEqualTo(RepoUrl.parse("https://github.com/org/repo").mirrorPath(ROOT));
    }

    @Test
    void gitProtocol()
    {
        RepoUrl url = RepoUrl.parse("git://127.0.0.1:9418/proj");
        assertThat(url.uri()).isEqualTo("git://127.0.0.1:9418/proj");
        assertThat(url.mirrorPath(ROOT)).isEqualTo(Path.of("/mirrors/127.0.0.1_9418/proj.git"));
    }

    @Test
    void fileUrlsLiveUnderLocal()
    {
        RepoUrl url = RepoUrl.parse("file:///srv/git/repo.git");
        assertThat(url.uri()).isEqualTo("file:///srv/git/repo.git");
        assertThat(url.mirrorPath(ROOT)).isEqualTo(Path.of("/mirrors/local/srv/git/repo.git"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://github.com/org/repo", "ftp://host/repo", "svn://host/repo"})
    void refusesOtherSchemesNamingThem(String raw)
    {
        assertThatThrownBy(() -> RepoUrl.parse(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheme '" + raw.substring(0, raw.indexOf(':')) + "' is not supported")
                .hasMessageContaining("https://host/org/repo");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "/srv/git/repo", "repo", "github.com", "https://github.com", "https://github.com/",
            "https://exa mple.com/x", "file://otherhost/srv/repo", "https://host/org/../../etc", "https://host/./x", "https://host:99999/x",
            "https://bad_host/x", "https://host/org//repo", "https://host/.git"})
    void refusesMalformedUrls(String raw)
    {
        assertThatThrownBy(() -> RepoUrl.parse(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repo_uri");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://alice:s3cr3t-pw@github.com/org/repo", "https://ghp_s3cr3t@github.com/org/repo",
            "ghp_s3cr3t@github.com/org/repo", "ssh://git:s3cr3t@github.com/org/repo", "git://s3cr3t@host/org/repo"})
    void refusesCredentialsWithoutEchoingThem(String raw)
    {
        assertThatThrownBy(() -> RepoUrl.parse(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contains credentials")
                .hasMessageContaining("BERTH_GIT_TOKEN")
                .hasMessageNotContaining("s3cr3t");
    }
}
