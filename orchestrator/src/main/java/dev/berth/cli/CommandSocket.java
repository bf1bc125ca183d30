package dev.berth.cli;

import dev.berth.queue.JobQueue;
import dev.berth.time.Sleeper;
import dev.berth.time.Ticker;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static java.util.Objects.requireNonNull;

/**
 * The daemon's side of {@link ServedCommands}: runs {@code list}, {@code status} and {@code submit}
 * for the CLI, exactly as {@link BerthCli} runs them in a process of their own, on a unix socket in the
 * state dir that only the daemon's user may connect to. A submit is checked by the same code and sent
 * to the daemon's own queue, the one way in, as the user the socket says connected (its peer
 * credentials, as {@code berth submit} in a process of its own sends its login name). Any other
 * command is declined, and the CLI then runs it itself, as it does an answer too long for the daemon
 * to hold, or a submit to a queue other than the daemon's.
 */
final class CommandSocket
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(CommandSocket.class);
    private static final int MAX_ARGS = 1_000;
    /**
     * The longest answer the daemon holds to send, in characters of either stream: pages of listings
     * many times over, where {@code list -n 0} or {@code list --json} of a large store makes tens of
     * megabytes. Such an answer is declined part way, and the CLI prints it itself, a page at a time,
     * rather than the daemon holding it whole, twice, in its heap.
     */
    static final int MAX_ANSWER_CHARS = 4 << 20;

    private final Path socket;
    private final ServerSocketChannel server;
    private final BerthCli cli;
    private final Optional<JobQueue> queue;
    private final ExecutorService answers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "berth-cli-answer");
        thread.setDaemon(true);
        return thread;
    });
    private final Thread acceptor;

    private CommandSocket(Path socket, ServerSocketChannel server, BerthCli cli, Optional<JobQueue> queue)
    {
        this.socket = requireNonNull(socket, "socket is null");
        this.server = requireNonNull(server, "server is null");
        this.cli = requireNonNull(cli, "cli is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.acceptor = new Thread(this::accept, "berth-cli-socket");
        acceptor.setDaemon(true);
    }

    /**
     * Listens in {@code stateDir}, whose lock the caller holds: a socket file found there was left by a
     * daemon that stopped, and is replaced. The commands run in {@code cli}, with the daemon's environment.
     * Only {@code list} and {@code status} are answered: with no queue there is nowhere to send a submit.
     */
    static CommandSocket open(Path stateDir, BerthCli cli)
            throws IOException
    {
        return open(stateDir, cli, Optional.empty());
    }

    /** As {@link #open(Path, BerthCli)}, answering {@code submit} too by sending to {@code queue}, which stays the caller's to close. */
    static CommandSocket open(Path stateDir, BerthCli cli, Optional<JobQueue> queue)
            throws IOException
    {
        Path socket = stateDir.resolve(ServedCommands.SOCKET_FILE).toAbsolutePath();
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        }
        catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        CommandSocket commands = new CommandSocket(socket, server, cli, queue);
        commands.acceptor.start();
        return commands;
    }

    Path socket()
    {
        return socket;
    }

    private void accept()
    {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                answers.execute(() -> answer(client));
            }
            catch (ClosedChannelException e) {
                return;
            }
            catch (IOException e) {
                // Stop rather than fail again at once, in a loop: without the socket the CLI reads the database itself
                log.warn("No longer answering the CLI on {}: {}", socket, e.getMessage());
                close();
                return;
            }
        }
    }

    /** A command as {@link ServedCommands#request} sends it, the time zone its caller prints times in, and the queue it names ({@code ""}: none). */
    private record Request(String zone, String queue, List<String> args)
    {
        /** Empty for another version of the protocol. */
        static Optional<Request> readFrom(DataInputStream data)
                throws IOException
        {
            if (data.readInt() != ServedCommands.PROTOCOL) {
                return Optional.empty();
            }
            String zone = data.readUTF();
            String queue = data.readUTF();
            int count = data.readInt();
            if (count < 1 || count > MAX_ARGS) {
                throw new IOException("a request of " + count + " arguments");
            }
            List<String> args = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                args.add(data.readUTF());
            }
            return Optional.of(new Request(zone, queue, args));
        }

        boolean submit()
        {
            return args.get(0).equals("submit");
        }
    }

    private boolean served(Request request)
    {
        if (!ServedCommands.COMMANDS.contains(request.args().get(0)) || !request.zone().equals(ZoneId.systemDefault().getId())) {
            return false;
        }
        return !request.submit() || queue.filter(daemonQueue -> request.queue().isEmpty() || request.queue().equals(daemonQueue.describe())).isPresent();
    }

    /** The command line for a request: a submit sends to the daemon's queue as the user at the other end of the socket. */
    private BerthCli cliFor(Request request, SocketChannel client)
    {
        if (!request.submit()) {
            return cli;
        }
        Optional<String> login = peerLogin(client);
        return cli.withCommand("submit", () -> new SubmitCommand(Clock.systemUTC(), Sleeper.system(), Ticker.system(), InputStream.nullInputStream(),
                (config, err) -> new QueueSender(config, err, queue, login)));
    }

    private Optional<String> peerLogin(SocketChannel client)
    {
        try {
            return Optional.of(client.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName());
        }
        catch (IOException | UnsupportedOperationException e) {
            // As a login berth cannot accept as a user: the job's user is then the request's, or unknown
            log.debug("Cannot tell who connected to {}: {}", socket, e.toString());
            return Optional.empty();
        }
    }

    private void answer(SocketChannel client)
    {
        try (client) {
            Optional<Request> request = Request.readFrom(new DataInputStream(Channels.newInputStream(client)));
            DataOutputStream answer = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client)));
            if (request.isEmpty() || !served(request.get())) {
                answer.writeBoolean(false);
                answer.flush();
                return;
            }
            BoundedText out = new BoundedText();
            BoundedText err = new BoundedText();
            int exitCode = cliFor(request.get(), client).execute(new PrintWriter(out), new PrintWriter(err), request.get().args().toArray(String[]::new));
            if (out.overflowed || err.overflowed) {
                answer.writeBoolean(false);
                answer.flush();
                return;
            }
            answer.writeBoolean(true);
            answer.writeInt(exitCode);
            writeText(answer, out.toString());
            writeText(answer, err.toString());
            answer.flush();
        }
        catch (IOException | RuntimeException e) {
            // The CLI runs the command itself when it gets no answer
            log.debug("Cannot answer a command on {}: {}", socket, e.toString());
        }
    }

    /**
     * What a command prints, up to {@link #MAX_ANSWER_CHARS}. A write past that stops the command by an
     * unchecked exception, which {@link PrintWriter}, unlike an {@link IOException}, lets through, so a
     * long listing is not read to its end only to be dropped.
     */
    private static final class BoundedText
            extends Writer
    {
        private final StringBuilder text = new StringBuilder();
        private boolean overflowed;

        @Override
        public void write(char[] chars, int offset, int length)
        {
            if (overflowed || text.length() + length > MAX_ANSWER_CHARS) {
                overflowed = true;
                throw new IllegalStateException("an answer longer than " + MAX_ANSWER_CHARS + " characters, left to the CLI");
            }
            text.append(chars, offset, length);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}

        @Override
        public String toString()
        {
            return text.toString();
        }
    }

    private static void writeText(DataOutputStream data, String text)
            throws IOException
    {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        data.writeInt(bytes.length);
        data.write(bytes);
    }

    @Override
    public void close()
    {
        try {
            server.close();
            // The acceptor itself closes on an error it cannot go on from
            if (Thread.currentThread() != acceptor) {
                acceptor.join();
            }
            Files.deleteIfExists(socket);
        }
        catch (IOException e) {
            log.warn("Cannot remove {}: {}", socket, e.getMessage());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        answers.shutdownNow();
    }
}
