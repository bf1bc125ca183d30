package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** A real {@code git daemon} on 127.0.0.1 serving every repository below one folder over git://. */
public final class GitDaemon
        implements AutoCloseable
{
    private final Process process;
    private final int port;

    private GitDaemon(Process process, int port)
    {
        this.process = process;
        this.port = port;
    }

    public static GitDaemon serve(Path servedDir, Path logFile)
            throws IOException
    {
        int port = freePort();
        Process process = new ProcessBuilder(List.of("git", "daemon", "--export-all", "--informative-errors", "--base-path=" + servedDir,
                "--listen=127.0.0.1", "--port=" + port, "--reuseaddr", servedDir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> accepts(port));
        return new GitDaemon(process, port);
    }

    public int port()
    {
        return port;
    }

    /** The git:// URL of the repository at {@code name} below the served folder. */
    public String url(String name)
    {
        return "git://127.0.0.1:" + port + "/" + name;
    }

    public static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port)
    {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close()
            throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
