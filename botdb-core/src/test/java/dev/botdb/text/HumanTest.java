package dev.botdb.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class HumanTest {
    @Test
    void sizesAreBinaryWholeFromAHundredUpAndWhereExact() {
        assertThat(Human.bytes(0)).isEqualTo("0 B");
        assertThat(Human.bytes(1023)).isEqualTo("1023 B");
        assertThat(Human.bytes(1024)).isEqualTo("1 KiB");
        assertThat(Human.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Human.bytes(150 * 1024 + 300)).isEqualTo("150 KiB");
        assertThat(Human.bytes(5L * 1024 * 1024 * 1024 * 1024)).isEqualTo("5 TiB");
        assertThat(Human.bytes(Long.MAX_VALUE)).isEqualTo("8 EiB");
        assertThat(Human.bytes(-4096)).isEqualTo("-4 KiB");
    }

    @Test
    void countsAndSharesIgnoreTheMachinesLanguage() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(Human.count(1_234_567)).isEqualTo("1,234,567");
            assertThat(Human.percent(0.992)).isEqualTo("99.2 %");
            assertThat(Human.seconds(Duration.ofMillis(1500))).isEqualTo("1.5 s");
            assertThat(Human.elapsed(Duration.ofMillis(420))).isEqualTo("0.42 s");
        } finally {
            Locale.setDefault(before);
        }
        assertThat(Human.percent(1)).isEqualTo("100 %");
        assertThat(Human.percent(0.0005)).isEqualTo("0.05 %");
        assertThat(Human.plural(1, "table", "tables")).isEqualTo("1 table");
        assertThat(Human.plural(2048, "table", "tables")).isEqualTo("2,048 tables");
    }

    @Test
    void durationsReadAsAgesAndElapsedAsWork() {
        assertThat(Human.duration(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(Human.duration(Duration.ofSeconds(12))).isEqualTo("12 s");
        assertThat(Human.duration(Duration.ofSeconds(363))).isEqualTo("6 min 3 s");
        assertThat(Human.duration(Duration.ofMinutes(45))).isEqualTo("45 min");
        assertThat(Human.duration(Duration.ofMinutes(125))).isEqualTo("2 h 5 min");
        assertThat(Human.duration(Duration.ofDays(3))).isEqualTo("3 days");
        assertThat(Human.elapsed(Duration.ofSeconds(12))).isEqualTo("12 s");
        assertThat(Human.elapsed(Duration.ofSeconds(363))).isEqualTo("6 min 3 s");
        assertThat(Human.elapsed(Duration.ofMinutes(125))).isEqualTo("2 h 5 min");
        assertThat(Human.seconds(Duration.ofSeconds(2))).isEqualTo("2 s");
    }
}
