package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.time.Ticker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;

import static java.util.Objects.requireNonNull;

/**
 * {@code berth list}, {@code berth status} and {@code berth submit} answered by the daemon of their state dir, over the
 * unix socket it keeps there ({@link CommandSocket}). A new process then pays for a JVM's start and
 * little more, where reading the database itself first starts picocli, SLF4J and the SQLite driver:
 * about a third of the time, and the answer is the same, made by the same code. With no daemon, one
 * that does not answer, or {@code BERTH_CLI_DIRECT=1}, the command reads the database as always.
 * A submit the daemon answers is checked as here and sent to the same queue, by the daemon's own queue
 * client (no AWS SDK starts in the CLI); one that follows its job ({@code --wait}) or reads a file
 * ({@code --file}, read where the caller is) is run here, as is any whose caller names another queue.
 * This class is the first thing {@link Main} runs, so it touches none of those libraries.
 */
public final class ServedCommands
{
    /** In the state dir, beside the database; only the daemon's own user may connect. */
    public static final String SOCKET_FILE = "cli.sock";
    static final Set<String> COMMANDS = Set.of("list", "status", "submit");
    /** The commands that only read: asked even on the run that makes the class-data archive, which then runs them here too. */
    private static final Set<String> READING = Set.of("list", "status");
    /** What {@code submit} options make it run here: a file only this process may be able to read, a wait longer than an answer's limit. */
    private static final Set<String> SUBMIT_HERE = Set.of("--wait", "-f", "--file");
    static final int PROTOCOL = 2;
    /** The options whose value is a path: sent as absolute paths, since the daemon runs in another directory. */
    private static final Map<String, String> PATH_OPTIONS = Map.of("--state-dir", "BERTH_STATE_DIR", "--shared-dir", "BERTH_SHARED_DIR");
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    /** Set by the launcher on the run that makes a command's class-data archive, which must serve both ways of answering. */
    private static final String ARCHIVING_PROPERTY = "berth.archiving";

    private final Ticker ticker;

    /** @param ticker measures how long the daemon takes to answer */
    public ServedCommands(Ticker ticker)
    {
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    /**
     * Runs {@code berth args...} in the daemon and prints its output here; empty when this command is
     * not one the daemon answers, or the daemon did not answer, and nothing was printed.
     */
    public Optional<Integer> ask(String[] args, Map<String, String> environment, PrintStream out, PrintStream err)
    {
        if (args.length == 0 || !COMMANDS.contains(args[0]) || "1".equals(environment.get("BERTH_CLI_DIRECT"))) {
            return Optional.empty();
        }
        if (args[0].equals("submit") && runsHere(args)) {
            return Optional.empty();
        }
        Map<String, String> settings = new HashMap<>(environment);
        List<String> forwarded = new ArrayList<>();
        forwarded.add(args[0]);
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String setting = PATH_OPTIONS.get(option);
            if (setting == null) {
                forwarded.add(arg);
            }
            else if (arg.contains("=")) {
                settings.put(setting, arg.substring(arg.indexOf('=') + 1));
            }
            else if (i + 1 < args.length) {
                settings.put(setting, args[++i]);
            }
            else {
                // Missing its value: the command's own parsing says so
                return Optional.empty();
            }
        }
        BerthConfig config;
        try {
            config = BerthConfig.load(settings);
        }
        catch (RuntimeException e) {
            // A setting it cannot read: the command run here reports it as it always does
            return Optional.empty();
        }
        forwarded.add(1, "--state-dir=" + config.stateDir().toAbsolutePath());
        if (settings.containsKey("BERTH_SHARED_DIR")) {
            forwarded.add(2, "--shared-dir=" + config.sharedDir().toAbsolutePath());
        }
        Path socket = config.stateDir().resolve(SOCKET_FILE);
        // The daemon prints times in its own zone: it answers only a caller in the same one
        String zone = TimeZone.getDefault().getID();
        // A caller that names its queue is answered only by a daemon that sends to that one
        String queue = config.queueUrl().orElse("");
        if (Boolean.getBoolean(ARCHIVING_PROPERTY) && READING.contains(args[0])) {
            // Asked, daemon or not, for the classes asking takes; then read the database here for the others
            PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
            request(socket, zone, queue, forwarded, discard, discard);
            return Optional.empty();
        }
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        return request(socket, zone, queue, forwarded, out, err);
    }

    private static boolean runsHere(String[] args)
    {
        for (String arg : args) {
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            // -fFILE too: picocli reads a short option's value joined to it
            if (SUBMIT_HERE.contains(option) || (arg.startsWith("-f") && !arg.startsWith("--"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends the command, with the queue its caller names ({@code ""} for none), prints what it printed once the whole answer is in, and returns its exit code;
     * empty, having printed nothing, when the daemon declines, does not answer within
     * {@link #ANSWER_TIMEOUT} by its ticker, or is gone. It uses no class of berth's but this one and
     * the ticker, which {@link Main} made before: the run that makes the launcher's class-data archive
     * may find no daemon to answer it, and a class of berth's missing from the archive would cost this
     * path the opening of the whole jar.
     */
    Optional<Integer> request(Path socket, String zone, String queue, List<String> args, PrintStream out, PrintStream err)
    {
        // The limit counts from the asking, before the daemon may have begun on the answer
        long deadline = ticker.read() + ANSWER_TIMEOUT.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            DataOutputStream data = new DataOutputStream(request);
            data.writeInt(PROTOCOL);
            data.writeUTF(zone);
            data.writeUTF(queue);
            data.writeInt(args.size());
            for (String arg : args) {
                data.writeUTF(arg);
            }
            ByteBuffer outgoing = ByteBuffer.wrap(request.toByteArray());
            while (outgoing.hasRemaining()) {
                channel.write(outgoing);
            }
            // The daemon closes the connection after its answer: read to the end, but not past the deadline
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer incoming = ByteBuffer.allocate(64 * 1024);
            while (true) {
                long left = (deadline - ticker.read()) / 1_000_000;
                if (left <= 0) {
                    return Optional.empty();
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int read = channel.read(incoming);
                if (read < 0) {
                    break;
                }
                reply.write(incoming.array(), 0, incoming.position());
                incoming.clear();
            }
            DataInputStream answer = new DataInputStream(new ByteArrayInputStream(reply.toByteArray()));
            if (!answer.readBoolean()) {
                return Optional.empty();
            }
            int exitCode = answer.readInt();
            String printed = readText(answer);
            String printedToErr = readText(answer);
            out.print(printed);
            out.flush();
            err.print(printedToErr);
            err.flush();
            return Optional.of(exitCode);
        }
        catch (IOException e) {
            // No daemon listening (it stopped and left its socket), or it stopped while answering
            return Optional.empty();
        }
    }

    private static String readText(DataInputStream data)
            throws IOException
    {
        return new String(data.readNBytes(data.readInt()), StandardCharsets.UTF_8);
    }
}
