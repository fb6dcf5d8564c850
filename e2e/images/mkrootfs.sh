#!/bin/bash
# Runs INSIDE the assembler container (debian:bookworm + apt lists + ca-certificates).
#   mkrootfs.sh OUT PKG...
# Resolves the dependencies of PKG, but never pulls in a shell or the
# dpkg/debconf tooling (the EXCLUDE list prunes the dependency walk),
# downloads the .debs into /debs (a host cache dir, reused across runs), and
# extracts them into OUT the way distroless does: no maintainer scripts, a
# /var/lib/dpkg/status.d/<pkg> record per package, docs dropped.
set -euo pipefail
out=$1; shift

# Packages a distroless-style image must not contain (shells, package tooling,
# helpers that only maintainer scripts use). ca-certificates is handled below.
EXCLUDE="dash bash coreutils debconf debconf-2.0 perl-base dpkg libc-bin tar
  util-linux sensible-utils lsb-base sysvinit-utils init-system-helpers adduser
  passwd login mount ucf findutils grep sed gzip procps mawk base-passwd
  debianutils diffutils hostname ncurses-bin ca-certificates ca-certificates-java
  java-common openssl libpam-runtime libpam-modules libpam-modules-bin libpam0g
  readline-common install-info dpkg-dev"

# Dependency closure of the seeds, pruned at EXCLUDE. From one `apt-cache depends
# --recurse` listing: per "|Depends" group the first alternative is taken unless
# an excluded package already satisfies it; a <virtual> takes its first provider.
pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
         --no-breaks --no-replaces --no-enhances "$@" |
  awk -v seeds="$*" -v exclude="$EXCLUDE" '
    { gsub(/:(any|amd64|all)/, "") }                          # drop arch qualifiers
    /^[^ ]/ { cur = $1; open = 0; next }                      # package header
    /^ [ |][A-Za-z]*Depends: / {
      alt = substr($0, 2, 1) == "|"; dep = $2
      if (!open) { ng[cur]++; g = cur SUBSEP ng[cur]; n[g] = 0 }
      opt[g, ++n[g]] = dep; last = dep; open = alt; next }
    /^    / { if (last ~ /^</) prov[last] = prov[last] " " $1; next }
    END {
      split(exclude, ex, /[ \n]+/); for (i in ex) excl[ex[i]] = 1
      nq = split(seeds, q, " ")
      for (h = 1; h <= nq; h++) {
        p = q[h]; if (p in sel || p in excl) continue
        sel[p] = 1
        for (k = 1; k <= ng[p]; k++) {
          g = p SUBSEP k; pick = ""; done = 0
          for (j = 1; j <= n[g] && !done; j++) {
            o = opt[g, j]; m = split(o ~ /^</ ? prov[o] : o, c, " ")
            for (i = 1; i <= m; i++) if (c[i] in excl || c[i] in sel) done = 1
            if (!done && pick == "" && m > 0) pick = c[1]
          }
          if (!done && pick != "") q[++nq] = pick
        }
      }
      for (p in sel) print p
    }' | sort)
[ -n "$pkgs" ] || { echo "mkrootfs: nothing resolved for $*" >&2; exit 1; }

# File names of the .debs (asked from an empty dir: apt omits files already present).
files=$(cd "$(mktemp -d)" && apt-get download --print-uris $pkgs | awk '{print $2}')
mkdir -p /debs && cd /debs
missing=$(for f in $files; do [ -f "$f" ] || echo "${f%%_*}"; done)
[ -z "$missing" ] || apt-get -o APT::Sandbox::User=root download $missing >/dev/null

mkdir -p "$out/var/lib/dpkg/status.d"
for f in $files; do
  dpkg-deb -x "$f" "$out"
  p=$(dpkg-deb -f "$f" Package)
  dpkg-deb -f "$f" >"$out/var/lib/dpkg/status.d/$p"
done

# Docs and manuals: keep only the copyright files (as distroless does).
find "$out/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
find "$out/usr/share/doc" -type l -delete 2>/dev/null || true
rm -rf "$out/usr/share/man" "$out/usr/share/info" "$out/usr/share/lintian" \
       "$out/usr/share/doc-base" "$out/usr/share/bug"

# The CA bundle that ca-certificates' postinst would have generated.
mkdir -p "$out/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/ca-certificates.crt"

printf '%s\n' $pkgs >"$out.packages"   # beside OUT, not inside it
echo "mkrootfs: $(echo $pkgs | wc -w) packages -> $out" >&2
