package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.Durations;
import dev.berth.daemon.Daemon;
import dev.berth.queue.QueueEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import static java.util.Objects.requireNonNull;

/** {@code berth serve}: starts the daemon and the socket on which it answers list, status and submit. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
                "Runs the berth daemon: takes job requests off the queue and runs them on the swarm.",
                "With no BERTH_QUEUE_URL it starts an embedded SQS-compatible queue on 127.0.0.1, and with",
                "a Docker engine that is not yet in a swarm it makes it a single-node swarm."})
final class ServeCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Option(names = "--queue-port", defaultValue = "9324", description = "Port of the embedded queue; 0: the port it had last time if that is free, else any free port (default: ${DEFAULT-VALUE}).")
    int queuePort;

    @Option(names = "--long-poll", defaultValue = "20s", hidden = true, description = "How long one queue receive waits.")
    String longPoll;

    @Spec
    CommandSpec spec;

    private final BerthCli cli;
    private final Clock clock;

    /** @param cli runs the {@code list}, {@code status} and {@code submit} the daemon answers for other processes */
    ServeCommand(BerthCli cli, Clock clock)
    {
        this.cli = requireNonNull(cli, "cli is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        BerthConfig config = common.config();
        Duration wait = Durations.parse(longPoll).filter(value -> value.toSeconds() <= 20)
                .orElseThrow(() -> new BerthCli.UserException("--long-poll must be a duration of at most 20s"));
        CountDownLatch stopped = new CountDownLatch(1);
        Daemon daemon = Daemon.start(config, clock, queuePort, wait);
        PrintWriter out = spec.commandLine().getOut();
        Optional<CommandSocket> commands = openCommandSocket(config, daemon, out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            commands.ifPresent(CommandSocket::close);
            daemon.close();
            stopped.countDown();
        }, "berth-shutdown"));

        QueueEndpoint endpoint = daemon.queueEndpoint();
        out.println("berth serve: state " + config.databaseFile() + ", runs in " + config.runsDir());
        out.println("berth serve: queue " + endpoint.queueUrl());
        daemon.webUri().ifPresent(uri -> out.println("berth serve: dashboard, API and metrics on " + uri));
        // Shown once, and only to a terminal: under systemd stdout is the journal, and the token is never logged
        daemon.newToken().ifPresent(token -> out.println(System.console() != null
                ? "berth serve: HTTP access token (shown this once; kept in " + config.httpTokenFile() + "): " + token.reveal()
                : "berth serve: made an HTTP access token in " + config.httpTokenFile() + " (owner only); clients send it as 'Authorization: Bearer TOKEN'"));
        endpoint.endpoint().filter(ignored -> endpoint.embedded()).ifPresent(uri -> {
            out.println("berth serve: embedded SQS endpoint " + uri + " (region " + endpoint.region() + ", any credentials), e.g.");
            out.println("  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=" + endpoint.region() + " aws sqs send-message --endpoint-url " + uri
                    + " --queue-url " + endpoint.queueUrl() + " --message-group-id jobs --message-deduplication-id $(date +%s%N) --message-body file://job.json");
        });
        out.flush();
        stopped.await();
        return 0;
    }

    /** Without it the CLI reads the database itself, only slower to start: a warning, not a reason to stop. */
    private Optional<CommandSocket> openCommandSocket(BerthConfig config, Daemon daemon, PrintWriter out)
    {
        try {
            CommandSocket commands = CommandSocket.open(config.stateDir(), cli, Optional.of(daemon.queue()));
            out.println("berth serve: list, status and submit answered on " + commands.socket());
            return Optional.of(commands);
        }
        catch (IOException | RuntimeException e) {
            out.println("berth serve: warning: list, status and submit will run in their own processes, as no socket could be made in "
                    + config.stateDir() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
