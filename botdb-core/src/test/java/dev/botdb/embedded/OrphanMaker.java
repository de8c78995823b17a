package dev.botdb.embedded;

import dev.botdb.config.EmbeddedTarget;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link EmbeddedServerTest}: starts the embedded server, then halts the
 * JVM without running shutdown hooks, as SIGKILL would, leaving postgres orphaned.
 */
public final class OrphanMaker {
    static final int EXIT_HALTED = 42;

    private OrphanMaker() {
    }

    public static void main(String[] args) {
        EmbeddedServer.start(new EmbeddedTarget(Path.of(args[0]), "test"), System.out::println);
        Runtime.getRuntime().halt(EXIT_HALTED);
    }
}
