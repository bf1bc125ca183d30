package dev.berth.cli;

import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/** The daemon's answers over its socket, with a command of the test's in place of {@code list}; the real commands are asked in {@code ServedCommandsSwarmIntegrationTest}. */
class CommandSocketTest
{
    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));

    @Test
    void anAnswerThatFitsIsPrintedAsTheCommandPrintedIt()
            throws Exception
    {
        Printed printed = ask(1_000);

        assertThat(printed.answered()).contains(0);
        assertThat(printed.out()).hasSize(1_000 + 1);
    }

    @Test
    void anAnswerTooLongToHoldIsLeftToTheCli()
            throws Exception
    {
        // As 'berth list -n 0' of a large store: the CLI reads it itself, a page at a time
        Printed printed = ask(CommandSocket.MAX_ANSWER_CHARS + 1);

        assertThat(printed.answered()).isEmpty();
        assertThat(printed.out()).isEmpty();
    }

    private record Printed(Optional<Integer> answered, String out) {}

    private Printed ask(int length)
            throws Exception
    {
        BerthCli cli = new BerthCli(Map.of(), clock, clock.sleeper()).withCommand("list", LongOutput::new);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSocket socket = CommandSocket.open(temp, cli)) {
            PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
            Optional<Integer> answered = ServedCommands.request(socket.socket(), TimeZone.getDefault().getID(), List.of("list", String.valueOf(length)), stream, stream);
            return new Printed(answered, out.toString(StandardCharsets.UTF_8));
        }
    }

    @Command(name = "list")
    static final class LongOutput
            implements Callable<Integer>
    {
        @Parameters
        int length;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call()
        {
            // In pieces, as a listing streams its JSON
            for (int i = 0; i < length; i += 1_000) {
                spec.commandLine().getOut().print("x".repeat(Math.min(1_000, length - i)));
            }
            spec.commandLine().getOut().println();
            return 0;
        }
    }
}
