package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Commands run the way a user's shell runs them, timed from start to exit. */
final class Processes
{
    private Processes() {}

    /** Runs {@code command} in {@code dir} and returns how long it took, in milliseconds; throws if it failed. */
    static double timed(List<String> command, Path dir)
            throws IOException, InterruptedException
    {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue());
        }
        return (System.nanoTime() - start) / 1e6;
    }
}
