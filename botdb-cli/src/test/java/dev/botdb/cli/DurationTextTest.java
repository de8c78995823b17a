package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {
    @Test
    void everyFormOperatorsWrite() {
        assertThat(DurationText.parse("--timeout", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse("--timeout", "30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse("--timeout", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("--timeout", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationText.parse("--timeout", "5min")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationText.parse("--timeout", "1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.parse("--timeout", "2d")).isEqualTo(Duration.ofDays(2));
        assertThat(DurationText.parse("--timeout", " 1H 5S ")).isEqualTo(Duration.ofSeconds(3605));
    }

    @Test
    void anythingElseNamesTheOptionAndTheForms() {
        for (String bad : new String[] {"soon", "", "5 minutes", "-5s", "1.5h", "30x", "9999999999s"}) {
            assertThatThrownBy(() -> DurationText.parse("--older-than", bad)).as(bad)
                    .isInstanceOf(BotDbException.class)
                    .hasMessageContaining("--older-than '" + bad + "' is not a duration")
                    .hasMessageContaining("1h30m");
        }
    }
}
