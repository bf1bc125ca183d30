package dev.berth.repo;

import dev.berth.config.GitCredentials;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real git repositories on disk, reached through file:// URLs. */
class RepositoriesTest
{
    @TempDir
    Path temp;

    private UpstreamRepo upstream;
    private Path mirrors;
    private Repositories repositories;

    @BeforeEach
    void setUp()
            throws Exception
    {
        upstream = UpstreamRepo.create(temp.resolve("upstream/project"));
        mirrors = temp.resolve("mirrors");
        repositories = new Repositories(mirrors, GitCredentials.none());
    }

    @AfterEach
    void tearDown()
    {
        repositories.close();
        upstream.close();
    }

    @Test
    void checksOutTheBranchTipWithFilesModesAndDetachedHead()
            throws Exception
    {
        upstream.commit("README.md", "hello\n", false);
        String commit = upstream.commit("bin/run.sh", "#!/bin/sh\necho run\n", true);

        Path work = temp.resolve("runs/job1/work");
        Checkout checkout = repositories.checkout(upstream.fileUrl(), "main", work);

        assertThat(checkout).isEqualTo(new Checkout(commit, true));
        assertThat(work.resolve("README.md")).hasContent("hello");
        assertThat(work.resolve("bin/run.sh")).isExecutable();
        assertThat(Files.isExecutable(work.resolve("README.md"))).isFalse();
        assertThat(upstream.fileUrl().mirrorPath(mirrors)).isEqualTo(mirrors.resolve("local").resolve(upstream.dir().toString().substring(1) + ".git"));
        assertThat(upstream.fileUrl().mirrorPath(mirrors).resolve("HEAD")).isRegularFile();

        // The job's own git sees a clean tree at the commit, with HEAD detached
        assertThat(GitCli.run(work, "rev-parse", "HEAD")).isEqualTo(commit);
        assertThat(GitCli.run(work, "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("HEAD");
        assertThat(GitCli.run(work, "status", "--porcelain")).isEmpty();
        assertThat(GitCli.run(work, "log", "--format=%s")).isEqualTo("change bin/run.sh\nchange README.md");
    }

    @Test
    void jobsThatArrivedBeforeAListingBeganShareItAndLaterOnesAskTheRemoteAgain()
            throws Exception
    {
        String first = upstream.commit("run.sh", "#!/bin/sh\necho one\n", true);
        Instant arrivedEarly = Instant.now();
        repositories.checkout(upstream.fileUrl(), "main", arrivedEarly, temp.resolve("runs/early-1/work"));
        String second = upstream.commit("run.sh", "#!/bin/sh\necho two\n", true);

        // Received before the listing that saw the first commit began: that listing is new enough for it
        Checkout shared = repositories.checkout(upstream.fileUrl(), "main", arrivedEarly, temp.resolve("runs/early-2/work"));
        // Received after that listing began: the remote is asked again and the new tip runs
        Checkout fresh = repositories.checkout(upstream.fileUrl(), "main", Instant.now(), temp.resolve("runs/late/work"));

        assertThat(shared.commit()).isEqualTo(first);
        assertThat(fresh.commit()).isEqualTo(second);
        assertThat(temp.resolve("runs/late/work/run.sh")).hasContent("#!/bin/sh\necho two");
    }

    @Test
    void symbolicLinksAreCheckedOutAsLinksAndTheTreeStaysClean()
            throws Exception
    {
        upstream.commit("data/config.yaml", "lr: 0.01\n", false);
        String commit = upstream.commitSymlink("config.yaml", "data/config.yaml");

        Path work = temp.resolve("runs/job1/work");
        repositories.checkout(upstream.fileUrl(), "main", work);

        assertThat(Files.isSymbolicLink(work.resolve("config.yaml"))).isTrue();
        assertThat(Files.readSymbolicLink(work.resolve("config.yaml"))).isEqualTo(Path.of("data/config.yaml"));
        assertThat(work.resolve("config.yaml")).hasContent("lr: 0.01");
        assertThat(GitCli.run(work, "rev-parse", "HEAD")).isEqualTo(commit);
        assertThat(GitCli.run(work, "status", "--porcelain")).isEmpty();
    }

    @Test
    void aCommitWithAPathGitRefusesFailsAsTheRequestsFault()
            throws Exception
    {
        upstream.commit("README.md", "hello\n", false);
        upstream.commitRawEntry(".git", "[core]\n\thooksPath = /tmp\n");

        Path work = temp.resolve("runs/job1/work");
        assertThatThrownBy(() -> repositories.checkout(upstream.fileUrl(), "main", work))
                .isInstanceOfSatisfying(RepoException.class, e -> assertThat(e.kind()).isEqualTo(RepoException.Kind.REFUSED_CONTENT))
                .hasMessageContaining("offers objects git refuses to fetch")
                .hasMessageContaining("invalid name '.git'");
        assertThat(work).doesNotExist();
    }

    @Test
    void checkoutBorrowsObjectsFromTheMirrorInsteadOfCopyingThem()
            throws Exception
    {
        upstream.commit("data.txt", "x".repeat(10_000), false);
        Path work = temp.resolve("work");
        repositories.checkout(upstream.fileUrl(), "main", work);

        Path objects = work.resolve(".git/objects");
        try (Stream<Path> files = Files.walk(objects)) {
            assertThat(files.filter(Files::isRegularFile).map(objects::relativize).map(Path::toString))
                    .containsExactly("info/alternates");
        }
        assertThat(objects.resolve("info/alternates"))
                .hasContent(upstream.fileUrl().mirrorPath(mirrors).resolve("objects").toAbsolutePath().toString());
    }

    @Test
    void unchangedRepositoryIsNotFetchedAgain()
            throws Exception
    {
        String commit = upstream.commit("a.txt", "a", false);
        assertThat(repositories.checkout(upstream.fileUrl(), "main", temp.resolve("work1")).fetched()).isTrue();
        Map<String, Long> mirrorObjects = mirrorObjects();

        Checkout second = repositories.checkout(upstream.fileUrl(), "main", temp.resolve("work2"));

        assertThat(second).isEqualTo(new Checkout(commit, false));
        assertThat(mirrorObjects()).isEqualTo(mirrorObjects);
        assertThat(temp.resolve("work2/a.txt")).hasContent("a");
    }

    @Test
    void newUpstreamCommitIsFetchedAndCheckedOut()
            throws Exception
    {
        String first = upstream.commit("a.txt", "one", false);
        repositories.checkout(upstream.fileUrl(), "main", temp.resolve("work1"));
        String second = upstream.commit("a.txt", "two", false);

        Checkout checkout = repositories.checkout(upstream.fileUrl(), "main", temp.resolve("work2"));

        assertThat(checkout).isEqualTo(new Checkout(second, true));
        assertThat(temp.resolve("work2/a.txt")).hasContent("two");
        assertThat(temp.resolve("work1/a.txt")).hasContent("one");
        assertThat(GitCli.run(temp.resolve("work1"), "rev-parse", "HEAD")).isEqualTo(first);
    }

    @Test
    void jobsModifyTheirOwnCheckoutOnly()
            throws Exception
    {
        upstream.commit("a.txt", "original", false);
        Path work1 = temp.resolve("work1");
        Path work2 = temp.resolve("work2");
        repositories.checkout(upstream.fileUrl(), "main", work1);
        repositories.checkout(upstream.fileUrl(), "main", work2);

        Files.writeString(work1.resolve("a.txt"), "changed by job 1");
        Files.writeString(work1.resolve("output.csv"), "1,2");
        GitCli.run(work1, "add", "-A");
        GitCli.run(work1, "-c", "user.name=Job", "-c", "user.email=job@example.com", "commit", "-qm", "job's own commit");

        assertThat(work2.resolve("a.txt")).hasContent("original");
        assertThat(work2.resolve("output.csv")).doesNotExist();
        assertThat(GitCli.run(work2, "status", "--porcelain")).isEmpty();
        // The job's commit went into its own object store, not the shared mirror
        String jobCommit = GitCli.run(work1, "rev-parse", "HEAD");
        try (Repository mirror = openMirror()) {
            assertThat(mirror.getObjectDatabase().has(ObjectId.fromString(jobCommit))).isFalse();
        }
    }

    @Test
    void deletedAndRewrittenUpstreamBranchesKeepTheirCommitsInTheMirror()
            throws Exception
    {
        String base = upstream.commit("a.txt", "main", false);
        String rewritten = upstream.commit("a.txt", "soon rewritten", false);
        repositories.checkout(upstream.fileUrl(), "main", temp.resolve("work0"));
        upstream.resetHard(base);
        upstream.createBranch("feature");
        String featureCommit = upstream.commit("f.txt", "feature work", false);
        repositories.checkout(upstream.fileUrl(), "feature", temp.resolve("work1"));
        upstream.switchTo("main");
        upstream.deleteBranch("feature");
        String later = upstream.commit("b.txt", "later", false);

        // Fetching again for main must not drop the deleted branch or its commit
        assertThat(repositories.checkout(upstream.fileUrl(), "main", temp.resolve("work2"))).isEqualTo(new Checkout(later, true));

        try (Repository mirror = openMirror()) {
            assertThat(mirror.getObjectDatabase().has(ObjectId.fromString(featureCommit))).isTrue();
            assertThat(mirror.getObjectDatabase().has(ObjectId.fromString(rewritten))).isTrue();
            assertThat(mirror.exactRef("refs/heads/feature").getObjectId().name()).isEqualTo(featureCommit);
        }
        // The older checkout still works because its objects are still there
        assertThat(GitCli.run(temp.resolve("work1"), "log", "-1", "--format=%H")).isEqualTo(featureCommit);
        assertThat(GitCli.run(temp.resolve("work1"), "fsck", "--no-dangling")).isEmpty();
        assertThat(GitCli.run(temp.resolve("work0"), "log", "--format=%H")).isEqualTo(rewritten + "\n" + base);
    }

    @Test
    void unknownBranchNamesTheBranchTheRepositoryAndExistingBranches()
            throws Exception
    {
        upstream.commit("a.txt", "a", false);
        upstream.createBranch("develop");

        assertThatThrownBy(() -> repositories.checkout(upstream.fileUrl(), "mian", temp.resolve("work")))
                .isInstanceOfSatisfying(RepoException.class, e -> assertThat(e.kind()).isEqualTo(RepoException.Kind.UNKNOWN_BRANCH))
                .hasMessageContaining("branch 'mian' does not exist in " + upstream.fileUrl())
                .hasMessageContaining("develop, main");
        assertThat(temp.resolve("work")).doesNotExist();
    }

    @Test
    void unreachableRepositorySaysSo()
    {
        RepoUrl missing = RepoUrl.parse("file://" + temp.resolve("no/such/repo"));

        assertThatThrownBy(() -> repositories.checkout(missing, "main", temp.resolve("work")))
                .isInstanceOfSatisfying(RepoException.class, e -> assertThat(e.kind()).isEqualTo(RepoException.Kind.UNREACHABLE))
                .hasMessageStartingWith("could not reach repository " + missing + ": ");
        assertThat(missing.mirrorPath(mirrors)).doesNotExist();
    }

    @Test
    void refusesANonEmptyWorkDirectoryAndAnInvalidBranch()
            throws Exception
    {
        upstream.commit("a.txt", "a", false);
        Path work = Files.createDirectories(temp.resolve("work"));
        Files.writeString(work.resolve("leftover"), "x");

        assertThatThrownBy(() -> repositories.checkout(upstream.fileUrl(), "main", work))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkout directory " + work + " is not empty");
        assertThatThrownBy(() -> repositories.checkout(upstream.fileUrl(), "a..b", temp.resolve("other")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a..b' is not a valid git branch name");
    }

    private Repository openMirror()
            throws IOException
    {
        return new FileRepositoryBuilder().setGitDir(upstream.fileUrl().mirrorPath(mirrors).toFile()).setMustExist(true).build();
    }

    private Map<String, Long> mirrorObjects()
            throws IOException
    {
        Path objects = upstream.fileUrl().mirrorPath(mirrors).resolve("objects");
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(objects)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                files.put(objects.relativize(file).toString(), Files.size(file));
            }
        }
        assertThat(files).isNotEmpty();
        return files;
    }
}
