package dev.berth.bench;

import dev.berth.config.GitCredentials;
import dev.berth.repo.RepoUrl;
import dev.berth.repo.Repositories;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository scenario's timing loop, in a JVM of its own so that it can run against an earlier
 * build's classes too. Alternates berth and the git CLI each round; prints one line per measurement.
 * <p>
 * Arguments: mirrors-root url branch git-mirror work-root rounds [checkout-only]
 */
public final class RepositoryProbe
{
    private RepositoryProbe() {}

    public static void main(String[] args)
            throws Exception
    {
        Path mirrors = Path.of(args[0]);
        RepoUrl url = RepoUrl.parse(args[1]);
        String branch = args[2];
        Path gitMirror = Path.of(args[3]);
        Path work = Path.of(args[4]);
        int rounds = Integer.parseInt(args[5]);
        boolean checkoutOnly = args.length > 6;

        Repositories repositories = new Repositories(mirrors, GitCredentials.none());
        String commit = repositories.checkout(url, branch, work.resolve("first")).commit();
        for (int round = 1; round <= rounds; round++) {
            if (!checkoutOnly) {
                long start = System.nanoTime();
                repositories.updateMirror(url, branch);
                print("berth-update", start);
                start = System.nanoTime();
                git("-C", gitMirror.toString(), "fetch", "-q", "origin");
                print("git-fetch", start);
            }
            Path berthDir = work.resolve("berth-" + round);
            long start = System.nanoTime();
            repositories.checkoutCommit(url, commit, berthDir);
            print("berth-checkout", start);

            Path gitDir = work.resolve("git-" + round);
            start = System.nanoTime();
            git("clone", "-q", "--shared", "--no-checkout", gitMirror.toString(), gitDir.toString());
            git("-C", gitDir.toString(), "checkout", "-q", "--detach", commit);
            print("git-checkout", start);

            delete(berthDir);
            delete(gitDir);
        }
    }

    private static void print(String figure, long startNanos)
    {
        System.out.println(figure + " " + (System.nanoTime() - startNanos) / 1e6);
    }

    private static void git(String... args)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " exited with " + process.exitValue());
        }
    }

    private static void delete(Path dir)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder("rm", "-rf", dir.toString()).start();
        if (process.waitFor() != 0) {
            throw new IOException("cannot remove " + dir);
        }
    }
}
