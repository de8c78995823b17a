package dev.botdb.backup.archive;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for one archive. The passphrase goes through PBKDF2-HMAC-SHA256 with the archive's
 * random salt; two keys are derived from that with HMAC-SHA256: the AES key, and a short key
 * check stored in the header so that a wrong key is told apart from a damaged file.
 *
 * <p>Every AES key is new (fresh salt per archive), so nonces can be deterministic: entry id and
 * chunk number for chunks, {@code 0xFFFFFFFF} and 0/1 for index/manifest. No nonce repeats under
 * one key, and a chunk moved to another place no longer decrypts.
 */
final class ArchiveCrypto {
    static final int SALT_BYTES = 16;
    static final int KEY_CHECK_BYTES = 8;
    static final int TAG_BYTES = 16;
    /** The nonce stored in front of each encrypted blob of a format 2 archive. */
    static final int NONCE_BYTES = 12;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    /**
     * OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about 160 ms on a 2-core EPYC once the JIT has
     * warmed up, paid once per archive opened or written.
     */
    static final int DEFAULT_ITERATIONS = 600_000;
    /** Refuses headers that would make opening a file take minutes (a damaged or hostile header). */
    static final int MAX_ITERATIONS = 10_000_000;
    private static final int METADATA_ID = 0xFFFFFFFF;

    private final SecretKeySpec aesKey;
    private final byte[] keyCheck;

    private ArchiveCrypto(byte[] master) {
        this.aesKey = new SecretKeySpec(hmac(master, "botdb archive v1 aes-256-gcm"), "AES");
        this.keyCheck = Arrays.copyOf(hmac(master, "botdb archive v1 key check"), KEY_CHECK_BYTES);
        Arrays.fill(master, (byte) 0);
    }

    /** Runs the slow key derivation; the result is cached by {@link BackupKey} per salt. */
    static ArchiveCrypto derive(char[] passphrase, byte[] salt, int iterations) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
            try {
                return new ArchiveCrypto(f.generateSecret(spec).getEncoded());
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks PBKDF2WithHmacSHA256", e);
        }
    }

    /** True when the header's key check matches this key: constant time, like any secret comparison. */
    boolean matches(byte[] storedKeyCheck) {
        return MessageDigest.isEqual(keyCheck, storedKeyCheck);
    }

    byte[] keyCheck() {
        return keyCheck.clone();
    }

    /** Per-thread state for {@link #seal} and {@link #open}: a cipher and its buffers. */
    Session session() {
        return new Session();
    }

    /**
     * One thread's cipher. GCM runs on direct buffers: on JDK 17 to 25 the heap-array path of
     * {@code Cipher.doFinal} stays around 60 MB/s for megabyte inputs (its GHASH intrinsic is only
     * reached from JIT-compiled callers, which few large calls never produce), while the direct
     * path processes large inputs in slices and reaches GB/s after the first hundred MB.
     */
    final class Session {
        private final Cipher cipher;
        private ByteBuffer in = ByteBuffer.allocateDirect(0);
        private ByteBuffer out = ByteBuffer.allocateDirect(0);

        private Session() {
            try {
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM lacks AES/GCM/NoPadding", e);
            }
        }

        /** Encrypts {@code data[0..length)} into {@code into}; returns ciphertext plus tag length. */
        int seal(byte[] nonce, byte[] aad, byte[] data, int length, byte[] into) {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BYTES * 8, nonce));
                return run(aad, data, length, into);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM encryption failed", e);
            }
        }

        /** Decrypts and authenticates; {@link AEADBadTagException} when anything was changed. */
        int open(byte[] nonce, byte[] aad, byte[] data, int length, byte[] into) throws AEADBadTagException {
            try {
                cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BYTES * 8, nonce));
                return run(aad, data, length, into);
            } catch (AEADBadTagException e) {
                throw e;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM decryption failed", e);
            }
        }

        /**
         * Format 2 (appendable archives): encrypts under a fresh random nonce and stores it in front of the
         * ciphertext, so {@code into} receives nonce, ciphertext and tag; returns their length. An appended file
         * can roll back to an earlier state and write a position again with other content, so deterministic
         * nonces would repeat there; 96 random bits do not (for fewer than 2^32 messages under one key).
         */
        int sealRandom(byte[] aad, byte[] data, int length, byte[] into) {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            System.arraycopy(nonce, 0, into, 0, NONCE_BYTES);
            try {
                cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BYTES * 8, nonce));
                return NONCE_BYTES + run(aad, data, 0, length, into, NONCE_BYTES);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM encryption failed", e);
            }
        }

        /** Decrypts what {@link #sealRandom} wrote: the nonce is the first 12 stored bytes. */
        int openRandom(byte[] aad, byte[] stored, int length, byte[] into) throws AEADBadTagException {
            try {
                cipher.init(Cipher.DECRYPT_MODE, aesKey,
                        new GCMParameterSpec(TAG_BYTES * 8, Arrays.copyOf(stored, NONCE_BYTES)));
                return run(aad, stored, NONCE_BYTES, length - NONCE_BYTES, into, 0);
            } catch (AEADBadTagException e) {
                throw e;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM decryption failed", e);
            }
        }

        private int run(byte[] aad, byte[] data, int length, byte[] into) throws GeneralSecurityException {
            return run(aad, data, 0, length, into, 0);
        }

        private int run(byte[] aad, byte[] data, int offset, int length, byte[] into, int intoOffset)
                throws GeneralSecurityException {
            // decryption output is 16 bytes shorter, encryption output 16 bytes longer than the input
            if (out.capacity() < length + TAG_BYTES) {
                in = ByteBuffer.allocateDirect(length + TAG_BYTES);
                out = ByteBuffer.allocateDirect(length + TAG_BYTES);
            }
            in.clear();
            in.put(data, offset, length).flip();
            out.clear();
            cipher.updateAAD(aad);
            int n = cipher.doFinal(in, out);
            out.flip();
            out.get(into, intoOffset, n);
            return n;
        }
    }

    static byte[] chunkNonce(int entryId, int chunkNumber) {
        return ByteBuffer.allocate(12).putInt(entryId).putLong(chunkNumber).array();
    }

    /** Binds a chunk to its entry and position: a chunk swapped, moved or renamed fails. */
    static byte[] chunkAad(int entryId, int chunkNumber, String entryName) {
        byte[] name = entryName.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(6 + 4 + 4 + name.length)
                .put("chunk:".getBytes(StandardCharsets.US_ASCII))
                .putInt(entryId).putInt(chunkNumber).put(name).array();
    }

    static byte[] indexNonce() {
        return ByteBuffer.allocate(12).putInt(METADATA_ID).putLong(0).array();
    }

    static byte[] manifestNonce() {
        return ByteBuffer.allocate(12).putInt(METADATA_ID).putLong(1).array();
    }

    /** Index and manifest are bound to the header: version, flags, created time and length. */
    static byte[] metadataAad(String what, byte[] header) {
        byte[] label = (what + ":").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(label.length + header.length).put(label).put(header).array();
    }

    private static byte[] hmac(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks HmacSHA256", e);
        }
    }
}
