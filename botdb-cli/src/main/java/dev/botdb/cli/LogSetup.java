package dev.botdb.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.PrintStream;

/**
 * The botdb command's logging, set up in code: operator-facing lines ({@code dev.botdb} at INFO) go to
 * stderr as plain text, warnings as {@code warning: ...}, other libraries speak only when something is
 * wrong, and a logged exception's stack trace appears only under {@code --verbose}.
 *
 * <p>Logback finds this class through {@code META-INF/services}. Configuring in code rather than with a
 * logback.xml saves every command about 60 ms of cold start: logback's XML configuration loads some
 * 500 classes of its own before the first line. {@code -Dlogback.configurationFile=...} (through
 * BOTDB_JAVA_OPTS) still takes over, for an operator who wants another layout.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** Set by {@link Main} once the command line is parsed; a process runs one command. */
    static volatile boolean verbose;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Stderr stderr = new Stderr();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("dev.botdb").setLevel(Level.INFO);
        context.getLogger("io.zonky").setLevel(Level.ERROR);
        context.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** INFO as the message alone; WARN as "warning: ..."; ERROR as "ERROR: ..."; the trace only when verbose. */
    static final class Stderr extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            int level = event.getLevel().toInt();
            if (level < Level.INFO_INT) {
                return;
            }
            StringBuilder line = new StringBuilder();
            if (level == Level.WARN_INT) {
                line.append("warning: ");
            } else if (level > Level.WARN_INT) {
                line.append(event.getLevel()).append(": ");
            }
            line.append(event.getFormattedMessage()).append(System.lineSeparator());
            if (verbose && event.getThrowableProxy() != null) {
                line.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append(System.lineSeparator());
            }
            PrintStream err = System.err; // looked up per line: tests and Main.run may swap it
            err.print(line);
            err.flush();
        }
    }
}
