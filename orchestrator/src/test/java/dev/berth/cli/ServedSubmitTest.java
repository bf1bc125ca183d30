package dev.berth.cli;

import dev.berth.queue.QueueMessage;
import dev.berth.testing.FakeJobQueue;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code berth submit} answered by the daemon over its socket, sending to the daemon's queue (here an in-memory one):
 * what it prints and what reaches the queue, beside the same command run in a process of its own. A submit
 * through a real daemon that runs its job is in {@code ServedCommandsSwarmIntegrationTest}.
 */
class ServedSubmitTest
{
    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));
    private final FakeJobQueue queue = new FakeJobQueue();

    @Test
    void anInvalidRequestIsRefusedWithTheWordsAndStatusOfTheDirectPathAndNothingIsSent()
            throws Exception
    {
        String[] args = {"submit", "--repo", "github.com/a/b", "--entrypoint", "/x", "--cpus", "2"};

        Printed served = ask(queue, "", args);
        Printed direct = runHere(args);

        assertThat(served.answered()).contains(1);
        assertThat(served.text()).isEqualTo(direct.text())
                .isEqualTo("berth submit: invalid request: entrypoint '/x' must be a path inside the repository,"
                        + " not an absolute path (it runs from the checkout root, e.g. scripts/train.sh)\n");
        assertThat(direct.answered()).contains(1);
        assertThat(queue.waiting()).isZero();
    }

    @Test
    void missingFlagsAreRefusedAsTheDirectPathRefusesThem()
            throws Exception
    {
        Printed served = ask(queue, "", "submit", "--repo", "github.com/a/b");

        assertThat(served.answered()).contains(1);
        assertThat(served.text()).isEqualTo(runHere("submit", "--repo", "github.com/a/b").text())
                .isEqualTo("berth submit: --repo and --entrypoint are required (or give the whole request with --file)\n");
        assertThat(queue.waiting()).isZero();
    }

    @Test
    void aValidRequestReachesTheDaemonsQueueAsItsCallersAndItsIdIsPrinted()
            throws Exception
    {
        Printed served = ask(queue, "", "submit", "--repo", "github.com/a/b", "--entrypoint", "run.sh", "--job-id", "served-1", "--cpus", "0.5");

        assertThat(served.answered()).contains(0);
        assertThat(served.text()).isEqualTo("served-1\n");
        List<QueueMessage> received = queue.receive(Duration.ZERO, Duration.ofSeconds(30));
        assertThat(received).hasSize(1);
        assertThat(received.get(0).body()).contains("\"job_id\":\"served-1\"", "\"repo_uri\":\"github.com/a/b\"", "\"cpus\":0.5");
        // The socket's peer is this process: its user is the one a submit of its own would send
        assertThat(received.get(0).user()).isEqualTo(Optional.of(System.getProperty("user.name")));
    }

    @Test
    void aCallerNamingAnotherQueueIsLeftToSendItself()
            throws Exception
    {
        Printed served = ask(queue, "https://sqs.example.invalid/1/other.fifo", "submit", "--repo", "github.com/a/b", "--entrypoint", "run.sh");

        assertThat(served.answered()).isEmpty();
        assertThat(served.text()).isEmpty();
        assertThat(queue.waiting()).isZero();
    }

    @Test
    void aDaemonWithoutAQueueLeavesSubmitToTheCli()
            throws Exception
    {
        Printed served = ask(null, "", "submit", "--repo", "github.com/a/b", "--entrypoint", "run.sh");

        assertThat(served.answered()).isEmpty();
        assertThat(served.text()).isEmpty();
    }

    @Test
    void aSubmitThatWaitsOrReadsAFileRunsInTheClisOwnProcess()
            throws Exception
    {
        try (CommandSocket ignored = CommandSocket.open(temp, cli(), Optional.of(queue))) {
            for (List<String> args : List.of(
                    List.of("submit", "--repo", "github.com/a/b", "--entrypoint", "run.sh", "--wait"),
                    List.of("submit", "--file", "jobs.jsonl"),
                    List.of("submit", "--file=jobs.jsonl"),
                    List.of("submit", "-fjobs.jsonl"))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
                Optional<Integer> answered = new ServedCommands(clock).ask(args.toArray(String[]::new), Map.of("BERTH_STATE_DIR", temp.toString()), stream, stream);

                assertThat(answered).as("%s", args).isEmpty();
                assertThat(out.size()).isZero();
            }
        }
        assertThat(queue.waiting()).isZero();
    }

    private record Printed(Optional<Integer> answered, String text) {}

    private BerthCli cli()
    {
        return new BerthCli(Map.of("BERTH_STATE_DIR", temp.toString()), clock, clock.sleeper());
    }

    private Printed ask(FakeJobQueue daemonQueue, String callerQueue, String... args)
            throws Exception
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSocket socket = CommandSocket.open(temp, cli(), Optional.ofNullable(daemonQueue))) {
            PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
            Optional<Integer> answered = new ServedCommands(clock).request(socket.socket(), TimeZone.getDefault().getID(), callerQueue, List.of(args), stream, stream);
            return new Printed(answered, out.toString(StandardCharsets.UTF_8));
        }
    }

    /** The command in this process, as with no daemon: it fails before it would need a queue. */
    private Printed runHere(String... args)
    {
        StringWriter text = new StringWriter();
        PrintWriter writer = new PrintWriter(text);
        int status = cli().execute(writer, writer, args);
        return new Printed(Optional.of(status), text.toString());
    }
}
