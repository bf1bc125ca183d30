package dev.berth.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A server on 127.0.0.1 that accepts connections and never says a word: a hung git host. */
public final class SilentServer
        implements AutoCloseable
{
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public SilentServer()
            throws IOException
    {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    held.add(server.accept());
                }
                catch (IOException e) {
                    return;
                }
            }
        }, "silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port()
    {
        return server.getLocalPort();
    }

    /** How many connections it has taken so far: each is one try to reach the hung host. */
    public int connections()
    {
        return held.size();
    }

    @Override
    public void close()
            throws IOException
    {
        server.close();
        for (Socket socket : held) {
            socket.close();
        }
    }
}
