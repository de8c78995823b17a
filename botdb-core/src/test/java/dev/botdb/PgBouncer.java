package dev.botdb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PgBouncer (Debian's package; {@code .ci/run} installs it) in transaction-pooling mode in
 * front of {@link TestPostgres}. It refuses to run as root, so as root it is started with
 * {@code -u nobody}.
 */
public final class PgBouncer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");
    private final Process process;
    private final int port;
    private final Path dir;

    private PgBouncer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Starts PgBouncer with pool_mode=transaction and a server pool of {@code poolSize} connections. */
    public static PgBouncer transactionMode(int poolSize) throws IOException, InterruptedException {
        int port = TestPostgres.closedPort();
        Path dir = Files.createTempDirectory("pgbouncer");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path ini = dir.resolve("pgbouncer.ini");
        Files.writeString(ini, """
                [databases]
                * = host=127.0.0.1 port=%d user=postgres
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                auth_type = any
                pool_mode = transaction
                default_pool_size = %d
                unix_socket_dir =
                ignore_startup_parameters = extra_float_digits
                """.formatted(TestPostgres.port(), port, poolSize));
        Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "nobody"));
        }
        cmd.add(ini.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("pgbouncer.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return new PgBouncer(p, port, dir);
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IOException("pgbouncer exited: " + Files.readString(dir.resolve("pgbouncer.log")));
                }
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("pgbouncer did not listen on " + port);
    }

    public int port() {
        return port;
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("pgbouncer.log"));
    }

    @Override
    public void close() {
        process.destroy();
    }
}
