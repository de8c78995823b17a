package dev.botdb.backup.external;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Version lines as the client programs print them, and which server or archive each can handle. */
class ToolVersionTest {

    @Test
    void readsTheVersionOutOfDebiansVersionLine() {
        ToolVersion v = ToolVersion.parse("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n").orElseThrow();
        assertThat(v.major()).isEqualTo(15);
        assertThat(v.minor()).isEqualTo(18);
        assertThat(v.text()).isEqualTo("15.18");
        assertThat(v.majorText()).isEqualTo("15");
    }

    @Test
    void readsBetasOldReleasesAndBareNumbers() {
        assertThat(ToolVersion.parse("psql (PostgreSQL) 18beta1").orElseThrow())
                .isEqualTo(new ToolVersion(18, 0, "18beta1"));
        ToolVersion old = ToolVersion.parse("pg_restore (PostgreSQL) 9.6.24").orElseThrow();
        assertThat(old.major()).isEqualTo(9);
        assertThat(old.majorText()).isEqualTo("9.6");
        assertThat(ToolVersion.parse("17.2").orElseThrow()).isEqualTo(ToolVersion.of(17, 2));
        assertThat(ToolVersion.parse("no digits here")).isEmpty();
        assertThat(ToolVersion.parse(null)).isEmpty();
    }

    @Test
    void comparesByMajorThenMinor() {
        assertThat(ToolVersion.of(15, 18)).isLessThan(ToolVersion.of(16, 0));
        assertThat(ToolVersion.of(15, 2)).isLessThan(ToolVersion.of(15, 18));
        assertThat(ToolVersion.parse("9.6.24").orElseThrow()).isLessThan(ToolVersion.of(10, 0));
    }

    @Test
    void pgDumpDumpsServersUpToItsOwnMajorOnly() {
        ToolVersion pgDump15 = ToolVersion.of(15, 18);
        assertThat(PgTools.canDump(pgDump15, 14)).isTrue();
        assertThat(PgTools.canDump(pgDump15, 15)).isTrue();
        assertThat(PgTools.canDump(pgDump15, 16)).isFalse();
        assertThat(PgTools.canDump(pgDump15, 18)).isFalse();
        assertThat(PgTools.canDump(ToolVersion.of(18, 1), 14)).isTrue();
        assertThat(PgTools.canDump(ToolVersion.of(18, 1), 18)).isTrue();
        assertThat(PgTools.canDump(ToolVersion.parse("9.6.24").orElseThrow(), 14)).isFalse();
    }
}
