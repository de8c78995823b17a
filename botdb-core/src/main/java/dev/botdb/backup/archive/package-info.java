/**
 * The botdb backup archive: one random-access file of named entries ({@code schema.json},
 * {@code data/<schema>.<table>}, {@code sqlite.db}), each split into chunks compressed with zstd
 * and, with a {@link dev.botdb.backup.archive.BackupKey}, encrypted with AES-256-GCM. Write with
 * {@link dev.botdb.backup.archive.ArchiveWriter}, read with {@link dev.botdb.backup.archive.ArchiveReader}.
 *
 * <h2>ArchiveLayout version 1</h2>
 * All integers are big-endian. Offsets are from the start of the file.
 * <pre>
 * header   64 bytes
 *   0  8  signature 89 42 4F 54 44 42 0D 0A ("\x89BOTDB\r\n", PNG-style)
 *   8  2  format version (1)
 *  10  2  flags: bit 0 = encrypted; any other bit set means a newer format
 *  12  4  uncompressed chunk size the writer used
 *  16  8  created at, milliseconds since 1970-01-01 UTC
 *  24  8  file length; 0 while the file is being written (so a copy of an unfinished
 *         file is recognised), set by finish() just before the fsync and rename
 *  32  4  PBKDF2 iterations (0 when not encrypted)
 *  36 16  PBKDF2 salt, random per archive (zeros when not encrypted)
 *  52  8  key check: HMAC-SHA256(master key, "botdb archive v1 key check"), first 8 bytes
 *  60  4  CRC-32C of bytes 0..60
 * chunks   from byte 64, back to back in the order they were appended; chunks of entries written
 *          at the same time interleave. Each chunk is 1 byte to 64 MiB of an entry (4 MiB by
 *          default) compressed with zstd (one frame, with zstd's content checksum), or stored as
 *          is when zstd would not make it smaller, then, when encrypted, AES-256-GCM ciphertext
 *          followed by its 16-byte tag.
 * index    entry count (u32), then per entry: name length (u16), name (UTF-8), entry id (u32,
 *          equal to its position), uncompressed size (u64), SHA-256 of the uncompressed content
 *          (32 bytes), chunk count (u32), then per chunk: offset (u64), stored length (u32),
 *          uncompressed length (u32), codec (u8: 0 stored, 1 zstd without its content checksum as
 *          earlier botdb builds wrote it, 2 zstd with it), SHA-256 of the stored bytes (32 bytes).
 *          The chunks of all entries must tile bytes 64 up to the index exactly.
 * manifest the bytes given to finish() (JSON written by dev.botdb.backup)
 * trailer  80 bytes: index offset (u64), index length (u64), manifest offset (u64), manifest
 *          length (u64), SHA-256 of header + stored index + stored manifest (32 bytes),
 *          CRC-32C of the previous 64 bytes (u32), zero (u32), "BOTDBEND"
 * </pre>
 *
 * <h2>Version 2: appendable archives</h2>
 * The archive files of {@code botdb archive --to} ({@link dev.botdb.backup.archive.AppendSession}); backups stay
 * version 1, so earlier botdb builds keep reading them. The layout is version 1's with two differences:
 * <ul>
 *   <li>An append writes its chunks where the index starts (over the old index, manifest and trailer) and then
 *       a new index (all entries, old and new), manifest and trailer, so the chunks still tile the file.</li>
 *   <li>Every encrypted blob (chunk, index, manifest) is stored as a random 12-byte nonce followed by the
 *       ciphertext and tag (the AAD as in version 1). Deterministic nonces would repeat here: an append that is
 *       rolled back leaves the same positions to be written again with other content under the same key.</li>
 * </ul>
 * {@code FILE.journal} beside the archive is held locked by the appending process and records, before the file
 * is touched, the old header, index offset and length and the old bytes from the index to the end, with a token
 * and a CRC-32C; fsynced. The header's length stays 0 from the start of the append until it is settled, so
 * readers see an unfinished file. Settling writes the length and empties the journal; rolling back writes the
 * saved bytes back and truncates. A journal that fails its CRC was cut short before the archive was touched.
 *
 * <h2>Encryption</h2>
 * master key = PBKDF2-HMAC-SHA256(passphrase, salt, iterations, 256 bits); AES key =
 * HMAC-SHA256(master key, "botdb archive v1 aes-256-gcm"). The key is new for every archive, so
 * nonces are deterministic: chunk {@code n} of entry {@code id} uses nonce {@code id (u32) || n
 * (u64)} and AAD {@code "chunk:" || id (u32) || n (u32) || name}; the index and manifest are
 * encrypted too (nonce {@code FFFFFFFF || 0} and {@code FFFFFFFF || 1}, AAD {@code "index:"} or
 * {@code "manifest:"} followed by the 64 header bytes), so a backup shows only its header without
 * the key. A chunk that is changed, swapped with another or moved from another entry or archive
 * fails its tag.
 *
 * <h2>Checks</h2>
 * {@code open} checks the name (a {@code .partial} is never a backup), signature, header CRC,
 * version, the length in the header against the file's size (truncation), the trailer's CRC and
 * the metadata SHA-256, then the key check and the index's and manifest's GCM tags.
 * {@code verifyIntegrity} checks every chunk's SHA-256 against the index. So every byte of the
 * file is checked before a restore touches a database; with encryption the index is
 * authenticated by the key, so this also proves nothing was changed, swapped or replaced.
 * Without encryption the checks find damage, not a deliberate forgery: whoever can rewrite the
 * file can recompute the hashes. Reading a chunk checks its SHA-256 and GCM tag again; reading an
 * entry to its end checks its size and content SHA-256.
 *
 * <p>Why SHA-256 per chunk and not only the GCM tags: on JDK 17 AES-GCM runs at about 60 MB/s
 * until the JIT has compiled its callers (after a few hundred MB), while SHA-256 (SHA-NI
 * intrinsic) runs at about 1.4 GB/s from the start, so a 400 MB archive verifies in about a
 * third of a second.
 */
package dev.botdb.backup.archive;
