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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon's answers over its socket, with a command of the test's in place of {@code list}; the real commands are asked in
 * {@code ServedCommandsSwarmIntegrationTest}. The asking side reads the test's clock, which moves only when the test's command moves it.
 */
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

    @Test
    void anAnswerThatTakesLongerThanTheLimitIsLeftToTheCli()
            throws Exception
    {
        // A daemon too busy to answer in time: the CLI reads the database itself, having printed nothing
        Printed printed = ask(new SlowOutput(clock, ServedCommands.ANSWER_TIMEOUT.plusMillis(1)), "list");

        assertThat(printed.answered()).isEmpty();
        assertThat(printed.out()).isEmpty();
    }

    @Test
    void anAnswerWithinTheLimitIsPrinted()
            throws Exception
    {
        Printed printed = ask(new SlowOutput(clock, ServedCommands.ANSWER_TIMEOUT.minusSeconds(1)), "list");

        assertThat(printed.answered()).contains(0);
        assertThat(printed.out()).isEqualTo("answered\n");
    }

    private record Printed(Optional<Integer> answered, String out) {}

    private Printed ask(int length)
            throws Exception
    {
        return ask(new LongOutput(), "list", String.valueOf(length));
    }

    private Printed ask(Object command, String... args)
            throws Exception
    {
        BerthCli cli = new BerthCli(Map.of(), clock, clock.sleeper()).withCommand("list", () -> command);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSocket socket = CommandSocket.open(temp, cli)) {
            PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
            Optional<Integer> answered = new ServedCommands(clock).request(socket.socket(), TimeZone.getDefault().getID(), "", List.of(args), stream, stream);
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

    /** Answers once {@code took} has passed on the clock that the asking side reads. */
    @Command(name = "list")
    static final class SlowOutput
            implements Callable<Integer>
    {
        private final TestingClock clock;
        private final Duration took;

        @Spec
        CommandSpec spec;

        SlowOutput(TestingClock clock, Duration took)
        {
            this.clock = clock;
            this.took = took;
        }

        @Override
        public Integer call()
        {
            clock.advance(took);
            spec.commandLine().getOut().println("answered");
            return 0;
        }
    }
}
