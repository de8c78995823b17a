package dev.botdb.cli;

import dev.botdb.config.BotDbConfig;
import java.io.PrintStream;
import java.util.Map;

/** What every command gets: the environment, the output streams and the global options. */
final class Cli {
    final Map<String, String> env;
    final PrintStream out;
    final PrintStream err;
    final java.io.InputStream in;
    final GlobalOptions global = new GlobalOptions();

    Cli(Map<String, String> env, java.io.InputStream in, PrintStream out, PrintStream err) {
        this.env = Map.copyOf(env);
        this.in = in;
        this.out = out;
        this.err = err;
    }

    boolean verbose(GlobalOptions local) {
        return global.verbose || local.verbose;
    }

    /** The configuration, with --allow-insecure applied when given before or after the command. */
    BotDbConfig config(GlobalOptions local) {
        BotDbConfig config = BotDbConfig.fromEnv(env);
        return global.allowInsecure || local.allowInsecure ? config.allowingInsecure() : config;
    }
}
