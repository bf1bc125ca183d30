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
 */
public final class TcpProxy
        implements AutoCloseable
{
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private ServerSocket server;

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
                    pump(client, upstream);
                    pump(upstream, client);
                }
                catch (IOException e) {
                    // closed by cut(), or the target refused: the client sees its connection drop
                }
            }
        }, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void pump(Socket from, Socket to)
    {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            }
            catch (IOException e) {
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

    @Override
    public void close()
            throws IOException
    {
        cut();
    }
}
