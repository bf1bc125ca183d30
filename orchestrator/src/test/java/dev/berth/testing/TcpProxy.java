package dev.berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards a loopback port to another, and can cut the line (every connection dropped, new ones
 * refused) and restore it on the same port: an endpoint outage without losing what is behind it.
 * It can also hold a transfer midway ({@link #holdAfter}): the client has part of the answer and
 * waits for the rest, as over a slow link.
 */
public final class TcpProxy
        implements AutoCloseable
{
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private long holdAfter = Long.MAX_VALUE;
    private boolean holding;

    public TcpProxy(int targetPort)
            throws IOException
    {
        this.targetPort = targetPort;
        this.port = GitDaemon.freePort();
        restore();
    }

    public int port()
    {
        return port;
    }

    public synchronized void cut()
            throws IOException
    {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    public synchronized void restore()
            throws IOException
    {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        ServerSocket listening = server;
        Thread acceptor = new Thread(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket client = listening.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream, false);
                    pump(upstream, client, true);
                }
                catch (IOException e) {
                    // closed by cut(), or the target refused: the client sees its connection drop
                }
            }
        }, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * From now on, each connection gets only its first {@code bytes} bytes from the target; the rest
     * waits until {@link #release()}.
     */
    public synchronized void holdAfter(long bytes)
    {
        holdAfter = bytes;
    }

    /** Whether some connection is being held now. */
    public synchronized boolean holding()
    {
        return holding;
    }

    public synchronized void release()
    {
        holdAfter = Long.MAX_VALUE;
        notifyAll();
    }

    private void pump(Socket from, Socket to, boolean fromTarget)
    {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[8192];
                long sent = 0;
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    for (int offset = 0; offset < read; ) {
                        int chunk = fromTarget ? allowance(sent, read - offset) : read - offset;
                        out.write(buffer, offset, chunk);
                        out.flush();
                        sent += chunk;
                        offset += chunk;
                    }
                }
            }
            catch (IOException | InterruptedException e) {
                // one side went away
            }
            finally {
                try {
                    to.close();
                    from.close();
                }
                catch (IOException ignored) {
                    // already closed
                }
            }
        }, "proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** How much of {@code wanted} more bytes may go now, after {@code sent}; waits while none may. */
    private synchronized int allowance(long sent, int wanted)
            throws InterruptedException
    {
        while (sent >= holdAfter) {
            holding = true;
            wait();
        }
        holding = false;
        return (int) Math.min(wanted, holdAfter - sent);
    }

    @Override
    public void close()
            throws IOException
    {
        cut();
    }
}
