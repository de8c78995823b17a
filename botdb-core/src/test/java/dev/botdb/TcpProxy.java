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
 * later", for testing startup retries and {@code botdb wait} against real PostgreSQL; or one that
 * cuts every connection once the server has sent a number of bytes: a connection lost half way.
 */
public final class TcpProxy implements AutoCloseable {
    private final int port;
    private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile ServerSocket listener;
    private volatile boolean closed;
    private final long cutAfterBytes;
    private final java.util.concurrent.CountDownLatch listening = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicLong fromServer = new java.util.concurrent.atomic.AtomicLong();

    private TcpProxy(int targetPort, long delayMillis) {
        this(targetPort, delayMillis, Long.MAX_VALUE);
    }

    private TcpProxy(int targetPort, long delayMillis, long cutAfterBytes) {
        this.cutAfterBytes = cutAfterBytes;
        this.port = TestPostgres.closedPort();
        this.acceptor = new Thread(() -> run(targetPort, delayMillis), "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Forwards {@link #port()} to {@code targetPort} once {@code delayMillis} have passed. */
    public static TcpProxy startingAfter(int targetPort, long delayMillis) {
        return new TcpProxy(targetPort, delayMillis);
    }

    /** Forwards at once, and closes every connection when the server has sent {@code bytes} in all. */
    public static TcpProxy cuttingAfter(int targetPort, long bytes) {
        TcpProxy proxy = new TcpProxy(targetPort, 0, bytes);
        try {
            if (!proxy.listening.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the proxy did not start listening");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return proxy;
    }

    /** Bytes the server has sent through the proxy. */
    public long bytesFromServer() {
        return fromServer.get();
    }

    public int port() {
        return port;
    }

    private void run(int targetPort, long delayMillis) {
        try {
            Thread.sleep(delayMillis);
            listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            listening.countDown();
            while (!closed) {
                Socket client = listener.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, false);
                pump(upstream, client, true);
            }
        } catch (IOException | InterruptedException e) {
            // closed
        }
    }

    private void pump(Socket from, Socket to, boolean serverToClient) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    if (serverToClient && fromServer.addAndGet(n) >= cutAfterBytes) {
                        for (Socket s : sockets) {
                            s.close();
                        }
                        return;
                    }
                }
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
