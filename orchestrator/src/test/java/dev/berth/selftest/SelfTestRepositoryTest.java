package dev.berth.selftest;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class SelfTestRepositoryTest
{
    @TempDir
    Path temp;

    @Test
    void runningAgainMakesNothingNew()
            throws Exception
    {
        SelfTestRepository repository = new SelfTestRepository(temp);
        SelfTestRepository.Source first = repository.materialise();
        List<Path> filesAfterFirst = files(repository.dir());

        SelfTestRepository.Source again = new SelfTestRepository(temp).materialise();

        assertThat(again).isEqualTo(first);
        assertThat(files(repository.dir())).as("no new object, ref or log").isEqualTo(filesAfterFirst);
        try (Git git = Git.open(repository.dir().toFile())) {
            List<RevCommit> history = new ArrayList<>();
            git.log().call().forEach(history::add);
            assertThat(history).extracting(RevCommit::getName).containsExactly(first.commit());
        }
    }

    @Test
    void theSameFilesMakeTheSameCommitAnywhere()
            throws Exception
    {
        SelfTestRepository.Source here = new SelfTestRepository(temp.resolve("one")).materialise();
        SelfTestRepository.Source there = new SelfTestRepository(temp.resolve("two")).materialise();

        assertThat(there.commit()).isEqualTo(here.commit());
        assertThat(there.repoUri()).isNotEqualTo(here.repoUri());
    }

    @Test
    void aCloneOfItsUrlHoldsTheShippedFilesWithTheEntrypointExecutable()
            throws Exception
    {
        SelfTestRepository.Source source = new SelfTestRepository(temp.resolve("shared")).materialise();

        assertThat(source.repoUri()).startsWith("file:///").contains("/shared/selftest/repo.git");
        Path clone = temp.resolve("clone");
        try (Git git = Git.cloneRepository().setURI(source.repoUri()).setBranch(source.branch()).setDirectory(clone.toFile()).call()) {
            RevCommit commit = git.log().call().iterator().next();
            assertThat(commit.getName()).isEqualTo(source.commit());
            assertThat(commit.getParentCount()).isZero();
            PersonIdent author = commit.getAuthorIdent();
            assertThat(author.getWhenAsInstant()).isEqualTo(commit.getCommitterIdent().getWhenAsInstant());
        }
        assertThat(Files.isExecutable(clone.resolve(SelfTestRepository.ENTRYPOINT))).isTrue();
        assertThat(Files.isExecutable(clone.resolve("selftest.py"))).isFalse();
        for (String name : List.of("selftest.sh", "selftest.py", "matrices.awk", "matmul.awk", "check.awk", "README.md")) {
            try (InputStream shipped = SelfTestRepository.class.getResourceAsStream("/dev/berth/selftest/repo/" + name)) {
                assertThat(Files.readAllBytes(clone.resolve(name))).as(name).isEqualTo(shipped.readAllBytes());
            }
        }
    }

    @Test
    void gitFindsItWhole()
            throws Exception
    {
        SelfTestRepository repository = new SelfTestRepository(temp);
        repository.materialise();

        Process fsck = new ProcessBuilder("git", "--git-dir=" + repository.dir(), "fsck", "--strict").redirectErrorStream(true).start();
        String output = new String(fsck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(fsck.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(fsck.exitValue()).as(output).isZero();
    }

    @Test
    void aBranchMovedElsewhereComesBackToThisBerthsCommit()
            throws Exception
    {
        SelfTestRepository repository = new SelfTestRepository(temp);
        SelfTestRepository.Source ours = repository.materialise();
        // As an older berth with other self-test files would have left it
        Path work = temp.resolve("work");
        try (Git git = Git.cloneRepository().setURI(ours.repoUri()).setDirectory(work.toFile()).call()) {
            Files.writeString(work.resolve("selftest.sh"), "#!/bin/sh\necho an older self-test\n");
            git.commit().setAll(true).setMessage("older").setAuthor("someone", "someone@example.com").setCommitter("someone", "someone@example.com").call();
            git.push().call();
        }

        assertThat(repository.materialise()).isEqualTo(ours);
        try (Git git = Git.open(repository.dir().toFile())) {
            assertThat(git.getRepository().exactRef("refs/heads/main").getObjectId().getName()).isEqualTo(ours.commit());
        }
    }

    @Test
    void severalMakingItAtOnceAllGetTheOneRepository()
            throws Exception
    {
        int racers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int round = 0; round < 5; round++) {
                Path shared = temp.resolve("round-" + round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<SelfTestRepository.Source>> made = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    made.add(pool.submit(() -> {
                        start.await();
                        return new SelfTestRepository(shared).materialise();
                    }));
                }
                start.countDown();
                List<SelfTestRepository.Source> sources = new ArrayList<>();
                for (Future<SelfTestRepository.Source> source : made) {
                    sources.add(source.get());
                }
                assertThat(sources).as("round " + round).containsOnly(sources.get(0));
                try (Stream<Path> left = Files.list(shared.resolve("selftest"))) {
                    assertThat(left).as("no half-made repository left beside it").extracting(path -> path.getFileName().toString()).containsExactly("repo.git");
                }
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static List<Path> files(Path dir)
            throws Exception
    {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
