package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real terminal for tests: a tmux server of its own (its own socket, no user config) with one
 * detached session of a given size, driven as a person would with {@code send-keys} and read back with
 * {@code capture-pane}, which shows exactly the characters on the screen.
 */
public final class Tmux
        implements AutoCloseable
{
    private static final String SESSION = "test";

    private final String socket = "berth-test-" + UUID.randomUUID();

    private Tmux() {}

    /** A session {@code width} × {@code height} running {@code command} (a shell, say) in {@code directory}. */
    public static Tmux start(int width, int height, String directory, String command)
    {
        Tmux tmux = new Tmux();
        tmux.run("-f", "/dev/null", "new-session", "-d", "-s", SESSION, "-c", directory, "-x", String.valueOf(width), "-y", String.valueOf(height), command);
        return tmux;
    }

    /** Keys by tmux's names ({@code Enter}, {@code Escape}, {@code Down}, {@code C-c}) or as single characters. */
    public void keys(String... keys)
    {
        List<String> arguments = new ArrayList<>(List.of("send-keys", "-t", SESSION));
        arguments.addAll(Arrays.asList(keys));
        run(arguments.toArray(String[]::new));
    }

    /** {@code text} typed as it is, character by character: no key names. */
    public void type(String text)
    {
        run("send-keys", "-t", SESSION, "-l", text);
    }

    /** What the screen shows now, one string per row, trailing blanks trimmed as tmux does. */
    public List<String> screen()
    {
        return run("capture-pane", "-p", "-t", SESSION).lines().toList();
    }

    /** A tmux format for the pane, such as {@code #{alternate_on}} or {@code #{pane_width}}. */
    public String format(String format)
    {
        return run("display-message", "-p", "-t", SESSION, format).strip();
    }

    /** Resizes the window, as a person dragging the terminal's corner would; the program in it gets SIGWINCH. */
    public void resize(int width, int height)
    {
        run("resize-window", "-t", SESSION, "-x", String.valueOf(width), "-y", String.valueOf(height));
    }

    private String run(String... arguments)
    {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(Arrays.asList(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot run tmux: is it installed (scripts/setup-local.sh installs it)?", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends this test's tmux server (only its own socket's) and everything running in it. */
    @Override
    public void close()
    {
        run("kill-server");
    }
}
