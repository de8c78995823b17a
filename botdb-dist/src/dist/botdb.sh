#!/bin/sh
# botdb launcher of the release tarball: runs botdb on the Java runtime shipped beside it.
# Nothing from the machine is needed: no JAVA_HOME, no java on PATH. BOTDB_JAVA_OPTS adds JVM options.
#
# Class-data sharing: lib/classes.lst (written at packaging time) lists the classes botdb's commands
# load. The first run in a new install folder turns it into lib/botdb.jsa (about two seconds, once),
# which later runs map instead of loading and verifying those classes one by one. A JDK 17 archive is
# only valid for the folder it was made in, so it is made here rather than shipped. Read-only folder,
# or BOTDB_CDS=off: botdb runs without it.
set -e
# few processes before java: this runs in health checks every few seconds (each fork costs a millisecond)
self="$0"
if [ -L "$self" ]; then self=$(readlink -f "$self"); fi
case "$self" in */*) ;; *) self="./$self" ;; esac
home=$(cd "${self%/*}/.." && pwd -P)
java="$home/runtime/bin/java"
cp=""
for jar in @JARS@; do cp="$cp${cp:+:}$home/lib/$jar"; done
archive="$home/lib/botdb.jsa"
stamp="$home/lib/botdb.jsa.for"
opts="-XX:+UseSerialGC"
# Commands that end in well under a second (health checks, cron's checks, help) run on the JIT's first
# tier only: the optimizing compiler would start compiling after they are done. Long commands (migrate,
# backup, restore, transfer) keep both tiers.
cds=""
cmd=""
for a in "$@"; do case "$a" in -*) ;; *) cmd="$a"; break ;; esac; done
case "$cmd" in
  ""|wait|status|validate|config|help|completion|new) opts="$opts -XX:TieredStopAtLevel=1" ;;
esac

if [ "${BOTDB_CDS:-on}" != off ] && [ -f "$home/lib/classes.lst" ]; then
  made_for=""
  [ -f "$stamp" ] && read -r made_for < "$stamp"
  # "failed FOLDER": the dump failed here once; botdb does not retry it on every run (delete the file to retry)
  if [ "$made_for" != "$home" ] && [ "$made_for" != "failed $home" ] && [ -w "$home/lib" ]; then
    tmp="$archive.$$"
    if "$java" -Xshare:dump -XX:SharedClassListFile="$home/lib/classes.lst" -XX:SharedArchiveFile="$tmp" \
         -XX:+UseSerialGC -cp "$cp" >/dev/null 2>&1; then
      mv -f "$tmp" "$archive"
      # the options that map it, as a java @argfile: quoted, so a folder with spaces works
      printf -- '-XX:SharedArchiveFile="%s"\n-Xshare:auto\n-Xlog:cds=off\n-Xlog:cds+dynamic=off\n' "$archive" \
        > "$archive.args.$$" && mv -f "$archive.args.$$" "$archive.args"
      printf '%s\n' "$home" > "$stamp.$$" && mv -f "$stamp.$$" "$stamp"
      made_for="$home"
    else
      rm -f "$tmp"
      printf 'failed %s\n' "$home" > "$stamp.$$" && mv -f "$stamp.$$" "$stamp"
    fi
  fi
  if [ "$made_for" = "$home" ] && [ -f "$archive" ] && [ -f "$archive.args" ]; then
    cds="@$archive.args"
  fi
fi
# shellcheck disable=SC2086
exec "$java" $opts ${cds:+"$cds"} ${BOTDB_JAVA_OPTS:-} -cp "$cp" dev.botdb.cli.Main "$@"
