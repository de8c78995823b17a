package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.util.Locale;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code botdb completion bash|zsh|fish}: a completion script for the whole command tree. bash and
 * zsh get picocli's generated script (zsh through bashcompinit); fish gets {@code complete} lines
 * made from the same tree.
 */
@Command(name = "completion", description = "Print a shell completion script: bash (source <(botdb completion bash)),"
        + " zsh (the same, in .zshrc), fish (botdb completion fish > ~/.config/fish/completions/botdb.fish).")
final class CompletionCommand extends BotDbCommand {
    @Parameters(paramLabel = "SHELL", description = "bash, zsh or fish.")
    String shell;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        switch (shell.toLowerCase(Locale.ROOT)) {
            case "bash" -> cli.out.print(AutoComplete.bash("botdb", root));
            case "zsh" -> cli.out.print("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
                    + AutoComplete.bash("botdb", root));
            case "fish" -> cli.out.print(fish(root));
            default -> throw new BotDbException(ErrorCode.USAGE, "No completion for shell '" + shell
                    + "'. Choose bash, zsh or fish.");
        }
        return 0;
    }

    /** One {@code complete} line per subcommand and per option, each only where it applies. */
    static String fish(CommandLine root) {
        StringBuilder sb = new StringBuilder("# botdb completion for fish\ncomplete -c botdb -f\n");
        add(sb, root, "");
        return sb.toString();
    }

    private static void add(StringBuilder sb, CommandLine command, String path) {
        String condition = path.isEmpty() ? "__fish_use_subcommand" : "__fish_seen_subcommand_from " + last(path);
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            if (!sub.getKey().equals(sub.getValue().getCommandName())) {
                continue; // an alias
            }
            sb.append("complete -c botdb -n '").append(condition).append("' -a ").append(sub.getKey())
                    .append(" -d ").append(quote(firstSentence(sub.getValue().getCommandSpec()))).append('\n');
        }
        if (!path.isEmpty()) {
            for (OptionSpec o : command.getCommandSpec().options()) {
                for (String name : o.names()) {
                    if (name.startsWith("--")) {
                        sb.append("complete -c botdb -n '__fish_seen_subcommand_from ").append(last(path))
                                .append("' -l ").append(name.substring(2))
                                .append(o.arity().max() > 0 ? " -r" : "")
                                .append(" -d ").append(quote(o.description().length == 0 ? "" : o.description()[0]))
                                .append('\n');
                    }
                }
            }
        }
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            if (sub.getKey().equals(sub.getValue().getCommandName()) && !sub.getKey().equals("help")) {
                add(sb, sub.getValue(), path + " " + sub.getKey());
            }
        }
    }

    private static String last(String path) {
        return path.substring(path.lastIndexOf(' ') + 1);
    }

    private static String firstSentence(CommandSpec spec) {
        String[] d = spec.usageMessage().description();
        String text = d.length == 0 ? "" : d[0];
        int dot = text.indexOf(". ");
        return dot < 0 ? text : text.substring(0, dot + 1);
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
