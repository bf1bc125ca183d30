package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.time.Ticker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code berth list}, {@code berth status} and {@code berth submit} answered by a real running daemon over
 * its socket: the same output and exit code as the command run in a process of its own, a submit that
 * lands in the daemon's queue and runs, and the command left to itself whenever the daemon cannot answer it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServedCommandsSwarmIntegrationTest
{
    @TempDir
    static Path temp;

    private BerthHarness berth;
    private GitRepos repo;
    private CommandSocket socket;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("hello.sh", "#!/bin/sh\necho \"hello from $BERTH_JOB_ID\"\n"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of());
        socket = CommandSocket.open(berth.config().stateDir(), BerthCli.standard(BerthConfig.environment()), Optional.of(berth.daemonQueue()));
        berth.send("{\"job_id\": \"served-1\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"hello.sh\"}");
        berth.awaitEnd("served-1");
    }

    @AfterAll
    void stop()
            throws Exception
    {
        socket.close();
        berth.close();
        repo.close();
    }

    @Test
    void theDaemonPrintsWhatTheCommandWouldPrintItself()
    {
        for (List<String> command : List.of(List.of("list"), List.of("list", "--json"), List.of("list", "--state", "RUNNING"),
                List.of("status", "served-1"), List.of("status", "no-such-job"), List.of("list", "--state", "BOGUS"))) {
            BerthHarness.CliResult itself = berth.cli(command.toArray(String[]::new));
            Answered served = ask(withDirs(command), Map.of()).orElseThrow(() -> new AssertionError("not answered by the daemon: " + command));

            assertThat(served.exitCode()).as("%s exit code", command).isEqualTo(itself.exitCode());
            assertThat(served.out()).as("%s output", command).isEqualTo(itself.out());
            assertThat(served.err()).as("%s errors", command).isEqualTo(itself.err());
        }
        assertThat(ask(withDirs(List.of("status", "served-1")), Map.of()).orElseThrow().out()).contains("served-1", "SUCCEEDED");
    }

    @Test
    void aSubmitAnsweredByTheDaemonGoesThroughItsQueueAndRuns()
    {
        Answered served = ask(withDirs(List.of("submit", "--repo", repo.fileUrl(), "--entrypoint", "hello.sh", "--job-id", "served-submit")), Map.of())
                .orElseThrow(() -> new AssertionError("submit not answered by the daemon"));

        assertThat(served.exitCode()).isZero();
        assertThat(served.out()).isEqualTo("served-submit\n");
        assertThat(berth.awaitEnd("served-submit").state()).isEqualTo(JobState.SUCCEEDED);
        BerthHarness.CliResult logs = berth.cli("logs", "served-submit");
        assertThat(logs.out()).contains("hello from served-submit");
        // Sent as the user at the other end of the socket, as a submit of its own sends its login name
        assertThat(berth.store().reads().job("served-submit").orElseThrow().user()).isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void aSubmitTheDaemonRefusesSaysWhatTheCliWouldSayItself()
    {
        List<String> command = List.of("submit", "--repo", repo.fileUrl(), "--entrypoint", "hello.sh", "--memory", "lots");
        BerthHarness.CliResult itself = berth.cli(command.toArray(String[]::new));
        Answered served = ask(withDirs(command), Map.of()).orElseThrow(() -> new AssertionError("submit not answered by the daemon"));

        assertThat(served.exitCode()).isEqualTo(itself.exitCode()).isEqualTo(1);
        assertThat(served.out()).isEqualTo(itself.out()).isEmpty();
        assertThat(served.err()).isEqualTo(itself.err()).contains("memory", "lots");
    }

    @Test
    void commandsThatDoMoreThanReadAreLeftToTheCli()
    {
        assertThat(ask(withDirs(List.of("cancel", "served-1")), Map.of())).isEmpty();
        assertThat(ask(withDirs(List.of("logs", "served-1")), Map.of())).isEmpty();
        assertThat(ask(withDirs(List.of("list")), Map.of("BERTH_CLI_DIRECT", "1"))).as("BERTH_CLI_DIRECT=1").isEmpty();
    }

    @Test
    void aCallerInAnotherTimeZoneIsLeftToPrintItsOwnTimes()
    {
        String elsewhere = TimeZone.getDefault().getID().equals("Pacific/Chatham") ? "Asia/Kathmandu" : "Pacific/Chatham";
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(printed, true, StandardCharsets.UTF_8);

        Optional<Integer> answered = new ServedCommands(Ticker.system()).request(socket.socket(), elsewhere, "", withDirs(List.of("list")), stream, stream);

        assertThat(answered).isEmpty();
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aSocketLeftByADaemonThatStoppedIsPassedOver()
            throws IOException
    {
        Path stateDir = temp.resolve("stopped-daemon");
        Files.createDirectories(stateDir);
        // Bound and closed without removing its file, as a daemon killed with -9 leaves it
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(stateDir.resolve(ServedCommands.SOCKET_FILE)));
        }
        assertThat(stateDir.resolve(ServedCommands.SOCKET_FILE)).exists();

        assertThat(ask(List.of("list", "--state-dir", stateDir.toString()), Map.of())).isEmpty();

        // And the next daemon there takes its place
        try (CommandSocket next = CommandSocket.open(stateDir, BerthCli.standard(BerthConfig.environment()))) {
            assertThat(Files.getPosixFilePermissions(next.socket())).as("only the daemon's user may connect")
                    .map(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
            assertThat(ask(List.of("list", "--state-dir", stateDir.toString()), Map.of()).orElseThrow().out())
                    .contains("(no jobs yet");
        }
        assertThat(stateDir.resolve(ServedCommands.SOCKET_FILE)).as("removed when the daemon stops").doesNotExist();
        assertThat(ask(List.of("list", "--state-dir", stateDir.toString()), Map.of())).isEmpty();
    }

    private record Answered(int exitCode, String out, String err) {}

    private static Optional<Answered> ask(List<String> args, Map<String, String> environment)
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Optional<Integer> exitCode = new ServedCommands(Ticker.system()).ask(args.toArray(String[]::new), environment,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        if (exitCode.isEmpty()) {
            assertThat(out.size() + err.size()).as("printed nothing when not answered").isZero();
        }
        return exitCode.map(code -> new Answered(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)));
    }

    /** As the harness's own CLI calls name them. */
    private List<String> withDirs(List<String> command)
    {
        List<String> args = new ArrayList<>(command.subList(0, 1));
        args.addAll(Arrays.asList("--state-dir", berth.config().stateDir().toString(), "--shared-dir", berth.config().sharedDir().toString()));
        args.addAll(command.subList(1, command.size()));
        return args;
    }
}
