package dev.botdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder that starts listening only after a delay: a server that "comes up
 * later", for testing startup retries and {@code botdb wait} against real PostgreSQL.
 */
public final class TcpProxy implements AutoCloseable {
    private final int port;
    private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile ServerSocket listener;
    private volatile boolean closed;

    private TcpProxy(int targetPort, long delayMillis) {
        this.port = TestPostgres.closedPort();
        this.acceptor = new Thread(() -> run(targetPort, delayMillis), "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Forwards {@link #port()} to {@code targetPort} once {@code delayMillis} have passed. */
    public static TcpProxy startingAfter(int targetPort, long delayMillis) {
        return new TcpProxy(targetPort, delayMillis);
    }

    public int port() {
        return port;
    }

    private void run(int targetPort, long delayMillis) {
        try {
            Thread.sleep(delayMillis);
            listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            while (!closed) {
                Socket client = listener.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            }
        } catch (IOException | InterruptedException e) {
            // closed
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // connection ended
            } finally {
                try {
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        acceptor.interrupt();
        if (listener != null) {
            listener.close();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }
}
