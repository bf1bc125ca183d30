package dev.berth.repo;

import dev.berth.config.GitCredentials;
import dev.berth.testing.GitDaemon;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real {@code git daemon} on loopback serving real repositories over git://. */
class RepositoriesGitDaemonIntegrationTest
{
    @TempDir
    Path temp;

    private GitDaemon daemon;
    private int port;
    private UpstreamRepo upstream;
    private Path mirrors;
    private Repositories repositories;

    @BeforeEach
    void startDaemon()
            throws Exception
    {
        Path served = Files.createDirectories(temp.resolve("served"));
        upstream = UpstreamRepo.create(served.resolve("project"));
        daemon = GitDaemon.serve(served, temp.resolve("daemon.log"));
        port = daemon.port();
        mirrors = temp.resolve("mirrors");
        repositories = new Repositories(mirrors, GitCredentials.none());
    }

    @AfterEach
    void stopDaemon()
            throws InterruptedException
    {
        repositories.close();
        upstream.close();
        daemon.close();
    }

    @Test
    void checksOutOverGitProtocolAndFetchesNothingTheSecondTime()
            throws Exception
    {
        String commit = upstream.commit("run.sh", "#!/bin/sh\necho hi\n", true);
        RepoUrl url = RepoUrl.parse("git://127.0.0.1:" + port + "/project");

        assertThat(repositories.checkout(url, "main", temp.resolve("work1"))).isEqualTo(new Checkout(commit, true));
        assertThat(temp.resolve("work1/run.sh")).isExecutable().hasContent("#!/bin/sh\necho hi");
        assertThat(GitCli.run(temp.resolve("work1"), "rev-parse", "HEAD")).isEqualTo(commit);
        Map<String, Long> objects = files(url.mirrorPath(mirrors).resolve("objects"));

        assertThat(repositories.checkout(url, "main", temp.resolve("work2"))).isEqualTo(new Checkout(commit, false));
        assertThat(files(url.mirrorPath(mirrors).resolve("objects"))).isEqualTo(objects);
        assertThat(temp.resolve("work2/run.sh")).isExecutable();
    }

    @Test
    void repositoryTheServerDoesNotHaveIsUnreachable()
            throws Exception
    {
        upstream.commit("a.txt", "a", false);
        RepoUrl url = RepoUrl.parse("git://127.0.0.1:" + port + "/no-such-project");

        assertThatThrownBy(() -> repositories.checkout(url, "main", temp.resolve("work")))
                .isInstanceOfSatisfying(RepoException.class, e -> assertThat(e.kind()).isEqualTo(RepoException.Kind.UNREACHABLE))
                .hasMessageStartingWith("could not reach repository " + url + ": ");
    }

    @Test
    void serverNotListeningIsUnreachable()
            throws Exception
    {
        RepoUrl url = RepoUrl.parse("git://127.0.0.1:" + GitDaemon.freePort() + "/project");

        assertThatThrownBy(() -> repositories.checkout(url, "main", temp.resolve("work")))
                .isInstanceOfSatisfying(RepoException.class, e -> assertThat(e.kind()).isEqualTo(RepoException.Kind.UNREACHABLE))
                .hasMessageStartingWith("could not reach repository " + url + ": ")
                .hasMessageContaining("Connection refused");
    }

    private static Map<String, Long> files(Path dir)
            throws IOException
    {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                files.put(dir.relativize(file).toString(), Files.size(file));
            }
        }
        assertThat(files).isNotEmpty();
        return files;
    }
}
