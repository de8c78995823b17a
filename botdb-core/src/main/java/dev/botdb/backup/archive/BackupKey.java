package dev.botdb.backup.archive;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Redaction;
import dev.botdb.config.Secret;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The passphrase that encrypts backups, from {@code BACKUP_ENCRYPTION_KEY} or from the file
 * {@code BACKUP_ENCRYPTION_KEY_FILE} names. Each archive derives its own AES-256 key from it with
 * PBKDF2-HMAC-SHA256 and a random salt. The passphrase never appears in {@link #toString()},
 * messages or logs; {@link #source()} says where it came from.
 *
 * <pre>{@code
 * Optional<BackupKey> key = BackupKey.fromEnv(System.getenv());
 * try (ArchiveWriter w = ArchiveWriter.create(path, key, ArchiveWriter.DEFAULT_ZSTD_LEVEL)) { ... }
 * }</pre>
 */
public final class BackupKey {
    public static final String KEY_VARIABLE = "BACKUP_ENCRYPTION_KEY";
    public static final String KEY_FILE_VARIABLE = "BACKUP_ENCRYPTION_KEY_FILE";
    /** A key file holds one passphrase; anything larger is the wrong file. */
    static final int MAX_KEY_FILE_BYTES = 4096;
    /** Enough for listing a backup folder; bounded so a long-running process does not collect keys. */
    private static final int MAX_CACHED_KEYS = 256;

    private final Secret passphrase;
    private final String source;
    /** Derived keys by salt and iterations: {@code backup list} opens many archives with one key. */
    private final Map<String, ArchiveCrypto> derived = new ConcurrentHashMap<>();

    private BackupKey(Secret passphrase, String source) {
        this.passphrase = passphrase;
        this.source = source;
    }

    /**
     * A key from a passphrase given directly (tests, embedding applications).
     *
     * @param source where it came from, shown in messages such as "wrong key: SOURCE does not
     *               decrypt this backup"
     */
    public static BackupKey ofPassphrase(String passphrase, String source) {
        if (passphrase == null || passphrase.isEmpty()) {
            throw new IllegalArgumentException("a backup passphrase must not be empty");
        }
        return new BackupKey(Secret.of(passphrase), source);
    }

    /**
     * The key configured in {@code env}, or empty when neither variable is set (blank counts as
     * unset, as everywhere in botdb). {@code BACKUP_ENCRYPTION_KEY} is the passphrase itself;
     * {@code BACKUP_ENCRYPTION_KEY_FILE} names a UTF-8 text file holding it (surrounding white
     * space and the final newline are ignored), which group and others must not be able to read.
     *
     * @throws BotDbException {@link ErrorCode#CONFIG_INVALID} when both are set, or the key file
     *                        is missing, empty, binary or readable by others
     */
    public static Optional<BackupKey> fromEnv(Map<String, String> env) {
        for (String variable : new String[] {KEY_VARIABLE, KEY_FILE_VARIABLE}) {
            // An unset ${KEY} in a compose file arrives as "": writing unencrypted backups then would be silent.
            if (env.containsKey(variable) && env.get(variable) != null && env.get(variable).isBlank()) {
                throw new BotDbException(ErrorCode.CONFIG_INVALID, variable + " is set but empty. Give the key, or"
                        + " unset it (remove it from the environment) to write unencrypted backups.");
            }
        }
        String direct = blankToNull(env.get(KEY_VARIABLE));
        String file = blankToNull(env.get(KEY_FILE_VARIABLE));
        if (direct != null && file != null) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, "both " + KEY_VARIABLE + " and " + KEY_FILE_VARIABLE
                    + " are set; set only one of them (the key file is the safer choice: it keeps the key out of"
                    + " the process environment)");
        }
        if (direct != null) {
            return Optional.of(new BackupKey(Secret.of(direct.strip()), KEY_VARIABLE));
        }
        if (file != null) {
            return Optional.of(fromFile(Path.of(file.strip())));
        }
        return Optional.empty();
    }

    private static BackupKey fromFile(Path file) {
        String shown = KEY_FILE_VARIABLE + " " + Redaction.printable(file.toString());
        byte[] bytes;
        try {
            checkPermissions(file, shown);
            long size = Files.size(file);
            if (size > MAX_KEY_FILE_BYTES) {
                throw new BotDbException(ErrorCode.CONFIG_INVALID, shown + " is " + size + " bytes; a key file holds"
                        + " one passphrase (at most " + MAX_KEY_FILE_BYTES + " bytes). Check the path, or create"
                        + " one with: openssl rand -base64 32 > " + file + " && chmod 600 " + file);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, shown + " does not exist. Check the path, or create"
                    + " a key with: openssl rand -base64 32 > " + file + " && chmod 600 " + file);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, shown + " cannot be read: " + e.getMessage(), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString().strip();
        } catch (CharacterCodingException e) {
            text = null;
        }
        if (text == null || text.indexOf('\0') >= 0) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, shown + " holds binary data; the key file must"
                    + " hold a text passphrase. Create one with: openssl rand -base64 32 > " + file);
        }
        if (text.isEmpty()) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, shown + " is empty. Put the passphrase in it, or"
                    + " create one with: openssl rand -base64 32 > " + file);
        }
        return new BackupKey(Secret.of(text), KEY_FILE_VARIABLE);
    }

    /** Like ssh with a private key: a key others can read is refused, with the fix. */
    private static void checkPermissions(Path file, String shown) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to check, as ssh on Windows
        }
        boolean open = perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
        if (open) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, shown + " is accessible by other users (permissions "
                    + PosixFilePermissions.toString(perms) + "), so the backup key is not secret. Run: chmod 600 "
                    + file + " (for a Docker secret, set its mode to 0400 or 0600)");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Where the key came from, for messages: the variable's name, never the value. */
    public String source() {
        return source;
    }

    /** The key of an archive being read, derived once per salt and iteration count. */
    ArchiveCrypto deriveForReading(byte[] salt, int iterations) {
        String cacheKey = HexFormat.of().formatHex(salt) + "/" + iterations;
        if (derived.size() > MAX_CACHED_KEYS) {
            derived.clear();
        }
        return derived.computeIfAbsent(cacheKey, k -> deriveForWriting(salt, iterations));
    }

    /** The key of a new archive: its salt is new, so caching would not help. */
    ArchiveCrypto deriveForWriting(byte[] salt, int iterations) {
        return ArchiveCrypto.derive(passphrase.reveal().toCharArray(), salt, iterations);
    }

    @Override
    public String toString() {
        return "BackupKey[" + Secret.MASK + " from " + source + "]";
    }
}
