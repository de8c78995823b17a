package dev.botdb.backup;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of the last {@code verify} of an archive, kept beside it as {@code NAME.botdb.verified}
 * (the archive itself is never rewritten).
 *
 * @param at  when it was verified
 * @param ok  whether it restored and matched its manifest
 * @param detail  the summary line
 */
public record Verification(Instant at, boolean ok, String detail) {
    static Path fileFor(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".verified");
    }

    static void record(Path archive, VerifyResult result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verified_at", Instant.now().toString());
        m.put("ok", result.ok());
        m.put("detail", result.summary());
        Path target = fileFor(archive);
        try {
            Path tmp = Files.createTempFile(archive.toAbsolutePath().getParent(), ".verified", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asBytes(m));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the verification itself stands; list will show the archive as not verified
        }
    }

    static Optional<Verification> of(Path archive) {
        Path f = fileFor(archive);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> m = JSON.std.mapFrom(Files.readAllBytes(f));
            return Optional.of(new Verification(Instant.parse(String.valueOf(m.get("verified_at"))),
                    Boolean.TRUE.equals(m.get("ok")), String.valueOf(m.get("detail"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
