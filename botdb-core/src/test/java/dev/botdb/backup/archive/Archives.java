package dev.botdb.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;

/** Test data and file surgery for the archive tests. */
final class Archives {
    /** Cheap key derivation: the tests open hundreds of archives. */
    static final int TEST_ITERATIONS = 1_000;
    static final byte[] MANIFEST = "{\"format\":1,\"tables\":[{\"name\":\"messages\",\"rows\":42}]}"
            .getBytes(StandardCharsets.UTF_8);
    private static final String[] WORDS = {"hello", "thanks", "lol", "ok", "see", "you", "tomorrow", "the", "bot",
        "is", "down", "again", "ping", "pong", "what", "time", "meeting", "deploy", "done", ":)", "привет", "🎉"};

    private Archives() {
    }

    static Optional<BackupKey> key(String passphrase) {
        return Optional.of(BackupKey.ofPassphrase(passphrase, "BACKUP_ENCRYPTION_KEY"));
    }

    /**
     * PostgreSQL COPY text of a chat messages table: id, chat id, user id, timestamp, a short text
     * and a small JSON column, the kind of data botdb backs up.
     */
    static byte[] chatCopyText(Random random, int approxBytes) {
        StringBuilder sb = new StringBuilder(approxBytes + 256);
        long id = 1 + random.nextInt(1000);
        long time = 1_700_000_000L + random.nextInt(1_000_000);
        while (sb.length() < approxBytes) {
            id += 1 + random.nextInt(3);
            time += random.nextInt(90);
            sb.append(id).append('\t').append(-1001234567000L - random.nextInt(40)).append('\t')
                    .append(100000 + random.nextInt(5000)).append('\t');
            java.time.Instant t = java.time.Instant.ofEpochSecond(time, random.nextInt(1_000_000) * 1000L);
            sb.append(t.toString().replace('T', ' ').replace("Z", "+00")).append('\t');
            int words = 1 + random.nextInt(14);
            for (int w = 0; w < words; w++) {
                sb.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            sb.append('\t');
            if (random.nextInt(4) == 0) {
                sb.append("\\N");
            } else {
                sb.append("{\"reply_to\": ").append(id - 1 - random.nextInt(50)).append(", \"edited\": ")
                        .append(random.nextBoolean()).append('}');
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the entries in order, each with writes of random sizes, and finishes. */
    static Path write(Path file, Optional<BackupKey> key, int chunkSize, Map<String, byte[]> entries, long seed)
            throws IOException {
        Random random = new Random(seed);
        try (ArchiveWriter writer = ArchiveWriter.create(file, key, 3, chunkSize, TEST_ITERATIONS)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                try (EntryOutput out = writer.openEntry(e.getKey())) {
                    writeInPieces(out, e.getValue(), random);
                }
            }
            return writer.finish(MANIFEST);
        }
    }

    /** A writer with one complete entry and no finish() yet: the state a killed backup leaves. */
    static ArchiveWriter unfinished(Path file) throws IOException {
        ArchiveWriter writer = ArchiveWriter.create(file, Optional.empty(), 3, 1000, 1);
        try (EntryOutput out = writer.openEntry("data/public.messages")) {
            out.write(chatCopyText(new Random(1), 20_000));
        }
        return writer;
    }

    static void writeInPieces(EntryOutput out, byte[] content, Random random) throws IOException {
        int at = 0;
        while (at < content.length) {
            if (random.nextInt(20) == 0) {
                out.write(content[at++]);
                continue;
            }
            int n = Math.min(content.length - at, 1 + random.nextInt(3000));
            out.write(content, at, n);
            at += n;
        }
    }

    /** A small archive with every kind of entry: for byte-by-byte damage tests. */
    static Map<String, byte[]> smallEntries(long seed) {
        Random random = new Random(seed);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("schema.json", "{\"tables\":[\"messages\"]}".getBytes(StandardCharsets.UTF_8));
        entries.put("data/public.empty", new byte[0]);
        entries.put("data/public.messages", chatCopyText(random, 1500));
        byte[] noise = new byte[700];
        random.nextBytes(noise);
        entries.put("data/public.blobs", noise);
        return entries;
    }

    static byte[] readAll(ArchiveReader reader, String name) {
        try (InputStream in = reader.openEntry(name)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens, checks every chunk and reads every entry to its end: all a restore would do. */
    static void openVerifyAndReadAll(Path file, Optional<BackupKey> key) {
        try (ArchiveReader reader = ArchiveReader.open(file, key)) {
            reader.verifyIntegrity();
            reader.manifestJson();
            for (EntryInfo e : reader.entries()) {
                readAll(reader, e.name());
            }
        }
    }

    static void xorByte(Path file, long offset, int mask) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ mask));
            b.rewind();
            ch.write(b, offset);
        }
    }

    /**
     * Rewrites the index as someone holding the key could: decrypts it, applies {@code change}
     * (which must keep its size), encrypts it again and fixes the metadata hash, so only the
     * per-chunk checks are left to catch the change.
     */
    static void rewriteIndex(Path file, Optional<BackupKey> key, UnaryOperator<List<ArchiveLayout.Entry>> change)
            throws Exception {
        byte[] all = Files.readAllBytes(file);
        byte[] headerBytes = Arrays.copyOf(all, ArchiveLayout.HEADER_SIZE);
        ArchiveLayout.Header header = ArchiveLayout.Header.decode(headerBytes);
        ArchiveLayout.Trailer t = trailer(file);
        int indexAt = (int) t.indexOffset();
        byte[] stored = Arrays.copyOfRange(all, indexAt, indexAt + (int) t.indexLength());
        byte[] manifest = Arrays.copyOfRange(all, (int) t.manifestOffset(), (int) (t.manifestOffset() + t.manifestLength()));
        ArchiveCrypto crypto = key.map(k -> k.deriveForReading(header.salt(), header.kdfIterations())).orElse(null);
        byte[] aad = ArchiveCrypto.metadataAad("index", headerBytes);
        byte[] index = stored;
        if (crypto != null) {
            index = new byte[stored.length - ArchiveCrypto.TAG_BYTES];
            crypto.session().open(ArchiveCrypto.indexNonce(), aad, stored, stored.length, index);
        }
        byte[] changed = ArchiveLayout.encodeIndex(change.apply(ArchiveLayout.decodeIndex(index, t.indexOffset())));
        assertThat(changed).hasSameSizeAs(index);
        byte[] newStored = changed;
        if (crypto != null) {
            newStored = new byte[stored.length];
            crypto.session().seal(ArchiveCrypto.indexNonce(), aad, changed, changed.length, newStored);
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(headerBytes);
        sha.update(newStored);
        sha.update(manifest);
        byte[] trailer = new ArchiveLayout.Trailer(t.indexOffset(), t.indexLength(), t.manifestOffset(), t.manifestLength(),
                sha.digest()).encode();
        System.arraycopy(newStored, 0, all, indexAt, newStored.length);
        System.arraycopy(trailer, 0, all, all.length - ArchiveLayout.TRAILER_SIZE, ArchiveLayout.TRAILER_SIZE);
        Files.write(file, all);
    }

    static ArchiveLayout.Trailer trailer(Path file) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(ArchiveLayout.TRAILER_SIZE);
            ch.read(b, ch.size() - ArchiveLayout.TRAILER_SIZE);
            return ArchiveLayout.Trailer.decode(b.array());
        }
    }

    /** An entry as the (unencrypted) archive's index records it. */
    static ArchiveLayout.Entry entryOf(Path file, String name) throws Exception {
        ArchiveLayout.Entry[] found = new ArchiveLayout.Entry[1];
        rewriteIndex(file, Optional.empty(), entries -> {
            found[0] = entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
            return entries;
        });
        return found[0];
    }

    /** Changes one stored byte of a chunk and gives the chunk the SHA-256 of its new bytes. */
    static void patchChunk(Path file, ArchiveLayout.Chunk chunk, int at, java.util.function.IntUnaryOperator change)
            throws Exception {
        byte[] all = Files.readAllBytes(file);
        int p = (int) chunk.offset() + at;
        all[p] = (byte) change.applyAsInt(all[p]);
        Files.write(file, all);
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
                .digest(Arrays.copyOfRange(all, (int) chunk.offset(), (int) chunk.offset() + chunk.storedLength()));
        rewriteIndex(file, Optional.empty(), entries -> entries.stream().map(e -> new ArchiveLayout.Entry(e.name(),
                e.id(), e.rawBytes(), e.sha256(), e.chunks().stream().map(c -> c.offset() == chunk.offset()
                        ? new ArchiveLayout.Chunk(c.offset(), c.storedLength(), c.rawLength(), c.codec(), sha) : c).toList()))
                .toList());
    }
}
