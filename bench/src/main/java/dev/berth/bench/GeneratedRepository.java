package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A project of many source files with a history of partial rewrites, written with the git CLI: the
 * repositories and sweep scenarios' repository. Seeded, so that every run generates the same bytes.
 *
 * @param files source files in each commit
 * @param commits the first writes every file, each later one rewrites about a tenth of them
 * @param minLines the fewest lines of a file, each of about 136 bytes
 * @param lineSpread how many more lines a file may have than {@code minLines}, at random; 1 for all alike
 */
record GeneratedRepository(int files, int commits, int minLines, int lineSpread)
{
    private static final String AUTHOR_NAME = "user.name=bench";
    private static final String AUTHOR_EMAIL = "user.email=bench@berth.invalid";

    GeneratedRepository
    {
        if (files < 1 || commits < 1 || minLines < 1 || lineSpread < 1) {
            throw new IllegalArgumentException("files, commits, minLines and lineSpread must be at least 1; got "
                    + files + ", " + commits + ", " + minLines + ", " + lineSpread);
        }
    }

    /** Writes the history into a new repository at {@code repo}, branch {@code main}; returns the size of its packed history. */
    long generate(Path repo)
            throws IOException, InterruptedException
    {
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        Random random = new Random(42);
        String[] words = new String[5000];
        for (int i = 0; i < words.length; i++) {
            words[i] = Long.toHexString(random.nextLong());
        }
        for (int commit = 0; commit < commits; commit++) {
            for (int file = 0; file < files; file++) {
                if (commit > 0 && random.nextInt(10) != 0) {
                    continue;
                }
                Path path = repo.resolve("pkg" + file % 40).resolve("module" + file + ".py");
                Files.createDirectories(path.getParent());
                StringBuilder text = new StringBuilder();
                int lines = minLines + random.nextInt(lineSpread);
                for (int line = 0; line < lines; line++) {
                    for (int word = 0; word < 8; word++) {
                        text.append(words[random.nextInt(words.length)]).append(' ');
                    }
                    text.append('\n');
                }
                Files.writeString(path, text);
            }
            git(repo, "add", "-A");
            git(repo, "-c", AUTHOR_NAME, "-c", AUTHOR_EMAIL, "commit", "-q", "-m", "change " + commit);
        }
        git(repo, "gc", "-q");
        try (Stream<Path> packs = Files.list(repo.resolve(".git/objects/pack"))) {
            return packs.mapToLong(pack -> pack.toFile().length()).sum();
        }
    }

    /** Commits an executable file (a job's entrypoint) into {@code repo}, or a new version of it. */
    static void commitExecutable(Path repo, String name, String content)
            throws IOException, InterruptedException
    {
        Path path = repo.resolve(name);
        Files.writeString(path, content);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        git(repo, "add", "-A");
        git(repo, "-c", AUTHOR_NAME, "-c", AUTHOR_EMAIL, "commit", "-q", "-m", "change " + name);
    }

    /** Bytes of the files of the checked-out tree, its {@code .git} aside. */
    static long treeBytes(Path repo)
            throws IOException
    {
        try (Stream<Path> paths = Files.walk(repo)) {
            return paths.filter(path -> !repo.relativize(path).startsWith(".git") && Files.isRegularFile(path))
                    .mapToLong(path -> path.toFile().length()).sum();
        }
    }

    static void git(Path dir, String... args)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue());
        }
    }
}
