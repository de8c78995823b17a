package dev.botdb.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupKeyTest {
    private static final String PASSPHRASE = "hunter2-but-longer";

    @TempDir
    Path dir;

    private Path keyFile(String permissions, byte[] content) throws Exception {
        Path file = dir.resolve("backup.key");
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertConfigError(Map<String, String> env) {
        return assertThatThrownBy(() -> BackupKey.fromEnv(env)).isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageNotContaining(PASSPHRASE);
    }

    @Test
    void noVariableMeansNoEncryption() {
        assertThat(BackupKey.fromEnv(Map.of())).isEmpty();
    }

    @Test
    void aVariableSetButBlankIsAConfigurationErrorNotUnencryptedBackups() {
        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY", "")).hasMessageContaining("BACKUP_ENCRYPTION_KEY is set but empty")
                .hasMessageContaining("unset it");
        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY", "  ")).hasMessageContaining("BACKUP_ENCRYPTION_KEY is set");
        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY_FILE", "")).hasMessageContaining("BACKUP_ENCRYPTION_KEY_FILE is set");
    }

    @Test
    void thePassphraseNeverAppearsInToString() {
        BackupKey key = BackupKey.fromEnv(Map.of("BACKUP_ENCRYPTION_KEY", PASSPHRASE)).orElseThrow();

        assertThat(key.source()).isEqualTo("BACKUP_ENCRYPTION_KEY");
        assertThat(key).hasToString("BackupKey[**** from BACKUP_ENCRYPTION_KEY]");
        assertThat(Optional.of(key).toString()).doesNotContain(PASSPHRASE);
    }

    @Test
    void bothVariablesAtOnceAreRefusedNamingBoth() throws Exception {
        Path file = keyFile("rw-------", PASSPHRASE.getBytes(StandardCharsets.UTF_8));

        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY", PASSPHRASE, "BACKUP_ENCRYPTION_KEY_FILE", file.toString()))
                .hasMessageContaining("both BACKUP_ENCRYPTION_KEY and BACKUP_ENCRYPTION_KEY_FILE are set");
    }

    @Test
    void aKeyFileDecryptsWhatTheSamePassphraseInTheVariableEncrypted() throws Exception {
        Path file = keyFile("rw-------", (PASSPHRASE + "\n").getBytes(StandardCharsets.UTF_8));
        Optional<BackupKey> fromVariable = BackupKey.fromEnv(Map.of("BACKUP_ENCRYPTION_KEY", PASSPHRASE));
        Optional<BackupKey> fromFile = BackupKey.fromEnv(Map.of("BACKUP_ENCRYPTION_KEY_FILE", file.toString()));
        Path archive = Archives.write(dir.resolve("a.botdb"), fromVariable, 1024, Archives.smallEntries(1), 1);

        assertThat(fromFile.orElseThrow().source()).isEqualTo("BACKUP_ENCRYPTION_KEY_FILE");
        Archives.openVerifyAndReadAll(archive, fromFile);
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedWithTheChmodThatFixesIt() throws Exception {
        Path file = keyFile("rw-r--r--", PASSPHRASE.getBytes(StandardCharsets.UTF_8));

        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY_FILE", file.toString()))
                .hasMessageContaining("is accessible by other users (permissions rw-r--r--)")
                .hasMessageContaining("chmod 600 " + file);
    }

    @Test
    void aKeyFileTheGroupCanReadIsRefused() throws Exception {
        Path file = keyFile("rw-r-----", PASSPHRASE.getBytes(StandardCharsets.UTF_8));

        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY_FILE", file.toString())).hasMessageContaining("chmod 600");
    }

    @Test
    void aMissingEmptyOrBinaryKeyFileIsRefused() throws Exception {
        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY_FILE", dir.resolve("nope.key").toString()))
                .hasMessageContaining("does not exist");
        Path empty = keyFile("rw-------", "\n".getBytes(StandardCharsets.UTF_8));
        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY_FILE", empty.toString())).hasMessageContaining("is empty");
        Path binary = keyFile("r--------", new byte[] {(byte) 0xff, 0, 1, 2, (byte) 0xc3});
        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY_FILE", binary.toString()))
                .hasMessageContaining("holds binary data").hasMessageContaining("openssl rand -base64 32");
    }

    @Test
    void aHugeKeyFileIsTakenForTheWrongFile() throws Exception {
        Path big = keyFile("rw-------", new byte[BackupKey.MAX_KEY_FILE_BYTES + 1]);

        assertConfigError(Map.of("BACKUP_ENCRYPTION_KEY_FILE", big.toString())).hasMessageContaining("Check the path");
    }

    @Test
    void derivationIsDeterministicPerSaltAndDiffersBetweenSalts() {
        BackupKey a = BackupKey.ofPassphrase(PASSPHRASE, "test");
        BackupKey b = BackupKey.ofPassphrase(PASSPHRASE, "test");
        byte[] salt1 = new byte[16];
        byte[] salt2 = new byte[16];
        salt2[0] = 1;

        byte[] check = a.deriveForReading(salt1, 1000).keyCheck();

        assertThat(b.deriveForWriting(salt1, 1000).keyCheck()).isEqualTo(check);
        assertThat(a.deriveForReading(salt2, 1000).keyCheck()).isNotEqualTo(check);
        assertThat(a.deriveForReading(salt1, 1001).keyCheck()).isNotEqualTo(check);
        assertThat(BackupKey.ofPassphrase("other", "test").deriveForReading(salt1, 1000).keyCheck()).isNotEqualTo(check);
    }
}
