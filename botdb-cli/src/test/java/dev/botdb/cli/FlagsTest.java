package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlagsTest {
    @Test
    void fieldNamesInBackquotesBecomeFlags() {
        assertThat(Flags.of("`lockTimeout` must be more than 0, e.g. `timeout` 30s `lockTimeout` 1s"))
                .isEqualTo("--lock-timeout must be more than 0, e.g. --timeout 30s --lock-timeout 1s");
        assertThat(Flags.of("`keepWeekly` must be 0 or more")).isEqualTo("--keep-weekly must be 0 or more");
        assertThat(Flags.of("`xidWarn` must be below `xidProblem`")).isEqualTo("--xid-warn must be below --xid-problem");
        assertThat(Flags.of("no fields here: `SELECT 1` stays")).isEqualTo("no fields here: `SELECT 1` stays");
        assertThat(Flags.of(null)).isNull();
    }
}
