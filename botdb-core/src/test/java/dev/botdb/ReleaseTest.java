package dev.botdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.backup.BackupResult;
import dev.botdb.backup.BackupSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseTest {
    @TempDir
    Path dir;

    @Test
    void theBuildWritesTheVersionAndTheCommit() {
        Release r = Release.current();
        assertThat(r.version()).matches("\\d+\\.\\d+\\.\\d+.*");
        // the build runs in a git checkout (CI clones the repository)
        assertThat(r.commit()).matches("[0-9a-f]{10}(-dirty)?");
        assertThat(r.toString()).isEqualTo(r.version() + " (commit " + r.commit() + ")");
    }

    @Test
    void aBackupManifestRecordsTheRelease() {
        try (BotDb db = BotDb.fromEnv(Map.of("DATABASE_URL", "sqlite:///" + dir.resolve("bot.db")))) {
            BackupResult r = db.backups(BackupSettings.of(dir.resolve("backups"))).backup();
            assertThat(r.manifest().botdbVersion()).isEqualTo(Release.current().toString())
                    .doesNotContain("development");
        }
    }
}
