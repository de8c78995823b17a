package dev.botdb.bench;

/** The JVM's floor for the cold-start benchmark: a main that does nothing. */
public final class EmptyMain {
    private EmptyMain() {
    }

    public static void main(String[] args) {
        // nothing: the time of starting and stopping the JVM itself
    }
}
