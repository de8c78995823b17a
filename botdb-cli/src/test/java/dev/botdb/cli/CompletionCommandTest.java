package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb completion}: the bash script is loaded into a real bash and asked to complete. */
class CompletionCommandTest {
    @TempDir
    Path dir;

    /** What bash offers for the words typed so far (the last one being completed). */
    private String complete(Path script, String... words) throws Exception {
        String line = "botdb " + String.join(" ", words);
        String program = "source " + script + "; COMP_WORDS=(botdb " + String.join(" ", words) + "); COMP_CWORD="
                + words.length + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length()
                + "; _complete_botdb; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process p = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void bashCompletesCommandsSubcommandsAndOptions() throws Exception {
        CliRun r = CliRun.of(Map.of(), "completion", "bash");
        assertThat(r.exitCode()).as(r.all()).isZero();
        Path script = Files.writeString(dir.resolve("botdb.bash"), r.out());

        assertThat(complete(script, "back")).contains("backup").doesNotContain("migrate");
        assertThat(complete(script, "backup", "ver")).contains("verify");
        assertThat(complete(script, "migrate", "--dr")).contains("--dry-run");
        assertThat(complete(script, "sql", "--wr")).contains("--write");
    }

    @Test
    void zshGetsTheSameScriptBehindBashcompinit() {
        CliRun r = CliRun.of(Map.of(), "completion", "zsh");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n")
                .contains("complete -F _complete_botdb");
    }

    @Test
    void fishGetsCompleteLinesForTheWholeTree() {
        CliRun r = CliRun.of(Map.of(), "completion", "fish");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("complete -c botdb -n '__fish_use_subcommand' -a backup -d ")
                .contains("complete -c botdb -n '__fish_seen_subcommand_from backup' -a verify -d ")
                .contains("complete -c botdb -n '__fish_seen_subcommand_from migrate' -l dry-run -d ")
                .contains("complete -c botdb -n '__fish_seen_subcommand_from restore' -l to -r -d ");
    }

    @Test
    void anotherShellIsAUsageError() {
        CliRun r = CliRun.of(Map.of(), "completion", "powershell");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("No completion for shell 'powershell'. Choose bash, zsh or fish.");
    }
}
