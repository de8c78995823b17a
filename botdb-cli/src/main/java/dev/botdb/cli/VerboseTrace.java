package dev.botdb.cli;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The stack trace of a logged exception, only under {@code --verbose} (logback.xml's {@code %verboseTrace}):
 * a library's warning (HikariCP's "Connection ... marked as broken") reaches the terminal as its one line.
 */
public final class VerboseTrace extends ThrowableProxyConverter {
    /** Set by {@link Main} once the command line is parsed; a process runs one command. */
    static volatile boolean verbose;

    @Override
    public String convert(ILoggingEvent event) {
        return verbose ? super.convert(event) : "";
    }
}
