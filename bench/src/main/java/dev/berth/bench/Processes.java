package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Commands run the way a user's shell runs them, timed from start to exit. */
final class Processes
{
    private Processes() {}

    /** Runs {@code command} in {@code dir} and returns how long it took, in milliseconds; throws if it failed. */
    static double timed(List<String> command, Path dir)
            throws IOException, InterruptedException
    {
        return timed(command, dir, Map.of());
    }

    /** With {@code environment} added to the bench's own. */
    static double timed(List<String> command, Path dir, Map<String, String> environment)
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process = builder.start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue());
        }
        return (System.nanoTime() - start) / 1e6;
    }
}
