#!/usr/bin/env bash
# Prints the jmods folder of Debian's OpenJDK 17 for one architecture, downloading it once into a cache.
#   fetch-jmods.sh ARCH CACHE_DIR        e.g. fetch-jmods.sh arm64 ~/.cache/botdb-dist
#
# jlink builds a runtime for another platform from that platform's jmods. Debian ships them in
# openjdk-17-jdk-headless; this takes that .deb straight from deb.debian.org (no dpkg architecture
# to add, no root): the InRelease file is checked against Debian's archive keyring with gpgv, the
# Packages index against InRelease's SHA-256, the .deb against the index's SHA-256. The newest
# version among bookworm and bookworm-security wins, as apt would pick it.
set -euo pipefail
arch="$1"
cache="$2"
mirror="${BOTDB_DEBIAN_MIRROR:-http://deb.debian.org}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
package=openjdk-17-jdk-headless

fail() { echo "fetch-jmods: $*" >&2; exit 1; }
for tool in curl xz gpgv dpkg-deb sha256sum; do
  command -v "$tool" >/dev/null || fail "needs $tool (Debian: apt-get install curl xz-utils gpgv dpkg)"
done
[ -r "$keyring" ] || fail "needs Debian's archive keyring at $keyring (apt-get install debian-archive-keyring)"

work="$cache/$arch"
mkdir -p "$work"
best_version=""
best_line=""
for suite in "debian bookworm" "debian-security bookworm-security" "debian bookworm-updates"; do
  set -- $suite
  repo="$1" dist="$2"
  inrelease="$work/$dist.InRelease"
  curl -fsSL --retry 3 -o "$inrelease" "$mirror/$repo/dists/$dist/InRelease" || fail "cannot download $mirror/$repo/dists/$dist/InRelease"
  gpgv --keyring "$keyring" "$inrelease" 2>/dev/null || fail "$dist/InRelease does not carry a valid Debian archive signature"
  want=$(awk '/^SHA256:/{s=1;next} /^[^ ]/{s=0} s && $3=="main/binary-'"$arch"'/Packages.xz"{print $1}' "$inrelease")
  [ -n "$want" ] || continue
  index="$work/$dist.Packages.xz"
  curl -fsSL --retry 3 -o "$index" "$mirror/$repo/dists/$dist/main/binary-$arch/Packages.xz"
  [ "$(sha256sum "$index" | cut -d' ' -f1)" = "$want" ] || fail "$dist's Packages.xz does not match its InRelease"
  # one line per stanza of the package: version, file, sha256
  while read -r version file sum; do
    if [ -z "$best_version" ] || dpkg --compare-versions "$version" gt "$best_version"; then
      best_version="$version"
      best_line="$repo $file $sum"
    fi
  done < <(xz -dc "$index" | awk -v RS= -v p="$package" 'index($0, "Package: " p "\n") == 1 {
      v = f = h = ""; n = split($0, line, "\n")
      for (i = 1; i <= n; i++) {
        if (line[i] ~ /^Version: /) v = substr(line[i], 10)
        if (line[i] ~ /^Filename: /) f = substr(line[i], 11)
        if (line[i] ~ /^SHA256: /) h = substr(line[i], 9)
      }
      print v, f, h }')
done
[ -n "$best_version" ] || fail "no $package for $arch in Debian bookworm"

set -- $best_line
repo="$1" file="$2" sum="$3"
target="$work/$package-$best_version"
jmods=$(find "$target" -type d -name jmods 2>/dev/null | head -n 1 || true)
if [ -z "$jmods" ] || [ ! -f "$jmods/java.base.jmod" ]; then
  deb="$work/$(basename "$file")"
  curl -fsSL --retry 3 -o "$deb.part" "$mirror/$repo/$file"
  [ "$(sha256sum "$deb.part" | cut -d' ' -f1)" = "$sum" ] || fail "$(basename "$file") does not match the Packages index"
  mv "$deb.part" "$deb"
  rm -rf "$target.part"
  dpkg-deb -x "$deb" "$target.part"
  mv "$target.part" "$target"
  rm -f "$deb"
  jmods=$(find "$target" -type d -name jmods | head -n 1)
fi
[ -f "$jmods/java.base.jmod" ] || fail "$package $best_version for $arch has no jmods"
echo "$jmods"
