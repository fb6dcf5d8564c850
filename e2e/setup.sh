#!/usr/bin/env bash
# e2e/setup.sh: install buildah and assemble LOCAL stand-ins for the base images
# the e2e Dockerfiles use (no registry is reachable), under their real names, in
# the e2e image store (see env.sh). Built from Debian bookworm packages.
#
#   e2e/setup.sh            build what is missing or stale
#   e2e/setup.sh --force    rebuild everything
#   e2e/setup.sh --list     print the image names and exit
#
# Idempotent: each image carries a label dfslim.e2e.stamp = hash of its recipe
# (the function below, the shared helpers, mkrootfs.sh, the parent's stamp and
# pinned inputs); an image whose stamp matches is skipped. Downloaded .debs are
# kept in $E2E_CACHE/{debs,apt,debootstrap} and reused.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

FORCE=0
case "${1:-}" in --force) FORCE=1 ;; --list) LIST=1 ;; "") ;; *) die "usage: $0 [--force|--list]" ;; esac
LIST=${LIST:-0}
BUILT=()

# ---------------------------------------------------------------- host tools
# golang:1.26 copies this machine's Go toolchain; find it even if PATH lacks it.
command -v go >/dev/null || [ ! -x /usr/local/go/bin/go ] || export PATH=$PATH:/usr/local/go/bin

install_tools() {
  command -v go >/dev/null || die "no Go toolchain: golang:1.26 copies \$(go env GOROOT)"
  local missing=()
  for c in buildah debootstrap jq curl; do command -v "$c" >/dev/null || missing+=("$c"); done
  [ ${#missing[@]} = 0 ] && return
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap jq curl ca-certificates >/dev/null
}

# aws-lambda-rie, built from the Go module proxy (static), cached by version.
build_rie() {
  if [ -x "$E2E_RIE" ] && [ "$(cat "$E2E_RIE.version" 2>/dev/null)" = "$E2E_RIE_VERSION" ]; then return; fi
  log "go install $E2E_RIE_MOD@$E2E_RIE_VERSION"
  mkdir -p "$(dirname "$E2E_RIE")"
  GOBIN=$(dirname "$E2E_RIE") CGO_ENABLED=0 GOFLAGS=-trimpath go install "$E2E_RIE_MOD@$E2E_RIE_VERSION"
  echo "$E2E_RIE_VERSION" >"$E2E_RIE.version"
}

# ---------------------------------------------------------------- helpers
# Helpers whose text goes into every stamp (edit one: everything rebuilds).
HELPERS="stamp want new_ctr commit_image apt_install"
# Extra stamp input of the images assembled from .debs.
rootfs_recipe() {
  cat "$E2E_DIR/images/mkrootfs.sh"
  declare -f mkrootfs busybox_tree finish_distroless finish_chainguard add_busybox_path add_busybox_bin
}

stamp() { # stamp FN ARGS...: hash of a recipe and its inputs
  { declare -f "$1" $HELPERS; shift; printf '%s\n' "$@"; } | sha256sum | cut -c1-16
}
image_stamp() { bah inspect --type image --format '{{index .OCIv1.Config.Labels "dfslim.e2e.stamp"}}' "$1" 2>/dev/null || true; }

# want STAMP TAG...: sets STAMP/TAGS; true if some TAG is missing or stale.
want() {
  STAMP=$1; shift; TAGS=("$@")
  if [ "$LIST" = 1 ]; then printf '%s\n' "${TAGS[@]}"; return 1; fi
  [ "$FORCE" = 1 ] && return 0
  local t; for t in "${TAGS[@]}"; do [ "$(image_stamp "$t")" = "$STAMP" ] || return 0; done
  log "up to date: ${TAGS[0]}"; return 1
}

# new_ctr IMAGE|scratch -> container id (named, so a failed run can clean up)
new_ctr() { bah from --pull=never --quiet --name "dfslim-setup-$$-$RANDOM$RANDOM" "$1"; }

# commit_image CTR TAG...: label with $STAMP, squash to one layer, tag.
commit_image() {
  local c=$1 t; shift
  bah config --label "dfslim.e2e.stamp=$STAMP" --created-by "dfslim e2e/setup.sh" "$c"
  for t in "$@"; do bah rmi -f "$t" >/dev/null 2>&1 || true; done
  bah commit --quiet --rm --squash --format docker "$c" "$1" >/dev/null
  for t in "${@:2}"; do bah tag "$1" "$t"; done
  BUILT+=("$1"); log "built $* ($(bash "$E2E_DIR/lib.sh" size "$1") bytes)"
}

# apt_install CTR PKG...: apt-get inside a Debian container; .debs cached on the host.
apt_install() {
  local c=$1; shift
  mkdir -p "$E2E_CACHE/apt"
  bah run -v "$E2E_CACHE/apt:/var/cache/apt/archives" "$c" -- sh -c \
    "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
     apt-get install -y -qq --no-install-recommends -o DPkg::Options::=--force-unsafe-io $* >/dev/null &&
     rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin"
}

# mkrootfs DIR PKG...: a distroless-style root from Debian packages (images/mkrootfs.sh
# runs in the assembler container, which is started once per setup run).
ASM=""
mkrootfs() {
  local dir=$1; shift
  if [ -z "$ASM" ]; then
    ASM=$(new_ctr localhost/dfslim-e2e/assembler:latest)
    bah run "$ASM" -- apt-get update -qq
  fi
  rm -rf "$dir" "$dir.packages"; mkdir -p "$dir" "$E2E_CACHE/debs"
  bah run -v "$E2E_CACHE/debs:/debs" -v "$E2E_DIR/images:/recipes:ro" -v "$(dirname "$dir"):/work" \
    "$ASM" -- bash /recipes/mkrootfs.sh "/work/$(basename "$dir")" "$@"
}
cleanup() { # remove this run's working containers (the assembler; any left by a failure)
  local c
  for c in $(bah containers --format '{{.ContainerName}}' 2>/dev/null | grep "^dfslim-setup-$$-"); do
    bah rm "$c" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

# busybox_tree DIR: DIR/busybox = Debian's busybox-static (for :debug and -dev images).
busybox_tree() {
  [ -x "$1/bin/busybox" ] || mkrootfs "$1" busybox-static
}

# Files every distroless image has (distroless common/ + static/).
finish_distroless() {
  local r=$1
  mkdir -p "$r/etc" "$r/tmp" "$r/home/nonroot" "$r/root" "$r/var/lib/dpkg/status.d"
  chmod 1777 "$r/tmp"; chmod 700 "$r/root"; chown 65532:65532 "$r/home/nonroot"
  cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$r/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
  printf 'hosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' >"$r/etc/nsswitch.conf"
  rm -f "$r/etc/os-release"
  cat >"$r/etc/os-release" <<'EOF'
PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"
BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"
EOF
}

# Chainguard (Wolfi) layout stand-in: user USER:65532, no shell.
finish_chainguard() {
  local r=$1 user=$2
  mkdir -p "$r/etc" "$r/tmp" "$r/home/$user" "$r/root" "$r/var/lib/dpkg/status.d"
  chmod 1777 "$r/tmp"; chmod 700 "$r/root"; chown 65532:65532 "$r/home/$user"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n%s:x:65532:65532::/home/%s:/bin/sh\n' \
    "$user" "$user" >"$r/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n%s:x:65532:\n' "$user" >"$r/etc/group"
  printf 'hosts: files dns\n' >"$r/etc/nsswitch.conf"
  rm -f "$r/etc/os-release"
  printf 'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\nHOME_URL="https://wolfi.dev"\n' >"$r/etc/os-release"
}

# distroless :debug: busybox at /busybox (all applets as symlinks there).
add_busybox_path() {
  local m=$1 bb=$E2E_CACHE/rootfs/busybox a
  mkdir -p "$m/busybox"; cp "$bb/bin/busybox" "$m/busybox/busybox"
  for a in $("$bb/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$m/busybox/$a"; done
}
# Chainguard -dev: busybox as /bin/busybox, applets at their usual paths (/bin/sh ...).
add_busybox_bin() {
  local m=$1 bb=$E2E_CACHE/rootfs/busybox p
  mkdir -p "$m/bin" "$m/sbin" "$m/usr/bin" "$m/usr/sbin"; cp "$bb/bin/busybox" "$m/bin/busybox"
  for p in $("$bb/bin/busybox" --list-full); do
    [ -e "$m/$p" ] || [ -L "$m/$p" ] || ln -s /bin/busybox "$m/$p"
  done
}

# ---------------------------------------------------------------- proxy CA
# This machine reaches registries through a proxy that presents its own CA.
# img_proxy_builder makes a variant of the golang and node stand-ins that trusts it and uses the machine's endpoints, as
# localhost/dfslim-e2e/proxy/NAME:TAG, so `go mod download` and `npm ci` work
# in builds of real apps (e2e/realapps.sh maps the apps' builder images to
# these). Read here, at setup time, from the machine's settings: the bundle
# named by SSL_CERT_FILE, `go env GOPROXY GOSUMDB`, `npm config get registry`.
# Never committed; the stand-ins under the real names (what the sample apps
# build on, offline), the runtime stand-ins and the apps' Dockerfiles stay
# untouched. No SSL_CERT_FILE: no proxy variants.
PROXY_CA=${SSL_CERT_FILE:-}
[ -r "$PROXY_CA" ] || PROXY_CA=""
proxy_env() { # the builder ENV: KEY=VALUE lines
  local v
  echo "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
  echo "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"
  echo "CARGO_HTTP_CAINFO=/etc/ssl/certs/ca-certificates.crt"
  echo "PIP_CERT=/etc/ssl/certs/ca-certificates.crt"
  echo "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt"
  v=$(go env GOPROXY 2>/dev/null) && [ -n "$v" ] && echo "GOPROXY=$v"
  v=$(go env GOSUMDB 2>/dev/null) && [ -n "$v" ] && echo "GOSUMDB=$v"
  v=$(npm config get registry 2>/dev/null) && [ -n "$v" ] && echo "NPM_CONFIG_REGISTRY=$v"
  return 0
}

# img_proxy_builder IMAGE: localhost/dfslim-e2e/proxy/NAME:TAG = IMAGE + the
# machine's CA bundle (as the image's bundle, and in /usr/local/share/ca-certificates
# so update-ca-certificates keeps it) + proxy_env. Its own stamp is the label
# dfslim.e2e.proxy-stamp; dfslim.e2e.stamp stays IMAGE's, so that while
# realapps.sh points IMAGE's name at it (an app FROM golang:1.26), a setup.sh
# run side by side finds IMAGE up to date instead of rebuilding it.
img_proxy_builder() {
  local from=$1 name=${1##*/} tag st
  tag=localhost/dfslim-e2e/proxy/$name
  [ "$LIST" = 1 ] && { echo "$tag"; return 0; }
  [ -n "$PROXY_CA" ] || { log "no SSL_CERT_FILE: no proxy variant of $from"; return 0; }
  st=$(stamp img_proxy_builder "$(image_stamp "$from")" "$(sha256sum <"$PROXY_CA")" "$(proxy_env)")
  if [ "$FORCE" != 1 ] && [ "$(bah inspect --type image --format '{{index .OCIv1.Config.Labels "dfslim.e2e.proxy-stamp"}}' "$tag" 2>/dev/null)" = "$st" ]; then
    log "up to date: $tag"; return 0
  fi
  local c m e args=()
  c=$(new_ctr "$from"); m=$(bah mount "$c")
  install -D -m 0644 "$PROXY_CA" "$m/usr/local/share/ca-certificates/dfslim-e2e-host.crt"
  install -D -m 0644 "$PROXY_CA" "$m/etc/ssl/certs/ca-certificates.crt"
  bah umount "$c" >/dev/null
  while IFS= read -r e; do args+=(--env "$e"); done < <(proxy_env)
  bah config "${args[@]}" --label "dfslim.e2e.proxy-stamp=$st" "$c"
  STAMP=$(image_stamp "$from")
  commit_image "$c" "$tag"
}

# ---------------------------------------------------------------- images
DEB_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# debian:bookworm (= debian:12): debootstrap minbase, apt lists dropped.
img_debian() {
  want "$(stamp img_debian "$E2E_SUITE" "$E2E_MIRROR" "$E2E_SECURITY_MIRROR")" \
    docker.io/library/debian:bookworm docker.io/library/debian:12 || return 0
  local r=$E2E_CACHE/rootfs/debian c m
  rm -rf "$r"; mkdir -p "$E2E_CACHE/debootstrap"
  log "debootstrap $E2E_SUITE"
  debootstrap --variant=minbase --cache-dir="$E2E_CACHE/debootstrap" "$E2E_SUITE" "$r" "$E2E_MIRROR" >"$r.log" 2>&1 ||
    { tail -20 "$r.log"; die "debootstrap failed"; }
  rm -f "$r/etc/apt/sources.list" "$r/etc/hostname" "$r/etc/resolv.conf"
  cat >"$r/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $E2E_MIRROR
Suites: $E2E_SUITE $E2E_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $E2E_SECURITY_MIRROR
Suites: $E2E_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
    "$r"/var/log/* "$r"/dev/* "$r"/proc/* "$r"/sys/* "$r"/run/* "$r"/tmp/*
  c=$(new_ctr scratch); m=$(bah mount "$c"); cp -a "$r/." "$m/"; bah umount "$c" >/dev/null
  bah config --env PATH=$DEB_PATH --cmd '["bash"]' "$c"
  commit_image "$c" "${TAGS[@]}"
  rm -rf "$r"
}

# Internal: debian + apt lists + ca-certificates; mkrootfs.sh runs in it.
img_assembler() {
  want "$(stamp img_assembler "$(image_stamp debian:bookworm)")" localhost/dfslim-e2e/assembler:latest || return 0
  local c; c=$(new_ctr docker.io/library/debian:bookworm)
  bah run "$c" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null'
  commit_image "$c" "${TAGS[@]}"
}

# golang:1.26: Debian + gcc + this machine's Go toolchain (go env GOROOT).
img_golang() {
  local goroot gover; goroot=$(go env GOROOT); gover=$(go env GOVERSION)
  want "$(stamp img_golang "$(image_stamp debian:bookworm)" "$gover")" \
    docker.io/library/golang:1.26 docker.io/library/golang:1.26-bookworm "docker.io/library/golang:${gover#go}" || return 0
  local c m; c=$(new_ctr docker.io/library/debian:bookworm)
  apt_install "$c" ca-certificates curl git gcc libc6-dev make pkg-config
  m=$(bah mount "$c"); mkdir -p "$m/usr/local/go" "$m/go/src" "$m/go/bin"
  cp -a "$goroot/." "$m/usr/local/go/"; chmod -R 1777 "$m/go"; bah umount "$c" >/dev/null
  bah config --env GOLANG_VERSION="${gover#go}" --env GOTOOLCHAIN=local --env GOPATH=/go \
    --env PATH=/go/bin:/usr/local/go/bin:$DEB_PATH --workingdir /go --cmd '["bash"]' "$c"
  commit_image "$c" "${TAGS[@]}"
}

# rust:1: Debian's rustc/cargo (1.63 on bookworm).
img_rust() {
  want "$(stamp img_rust "$(image_stamp debian:bookworm)")" \
    docker.io/library/rust:1 docker.io/library/rust:1-bookworm docker.io/library/rust:latest || return 0
  local c; c=$(new_ctr docker.io/library/debian:bookworm)
  apt_install "$c" ca-certificates rustc cargo gcc libc6-dev
  bah run "$c" -- mkdir -p /usr/local/cargo/bin /usr/local/rustup
  bah config --env RUSTUP_HOME=/usr/local/rustup --env CARGO_HOME=/usr/local/cargo \
    --env PATH=/usr/local/cargo/bin:$DEB_PATH --env RUST_VERSION=1.63.0 --cmd '["bash"]' "$c"
  commit_image "$c" "${TAGS[@]}"
}

# node:20: Debian's nodejs + npm, and Yarn classic as /usr/local/bin/yarn like upstream's
# images (Debian's yarnpkg, 1.22), and g++ and make as upstream's (buildpack-deps) has, for
# native addons. node-gyp takes the headers of this very Node from Debian's libnode-dev
# (npm_config_nodedir=/usr), where upstream's downloads them from nodejs.org.
# NOTE: bookworm ships Node 18; it stands in for 20.
img_node() {
  want "$(stamp img_node "$(image_stamp debian:bookworm)")" \
    docker.io/library/node:20 docker.io/library/node:20-bookworm docker.io/library/node:lts || return 0
  local c; c=$(new_ctr docker.io/library/debian:bookworm)
  apt_install "$c" ca-certificates nodejs npm yarnpkg libnode-dev g++ make
  bah run "$c" -- ln -s /usr/bin/yarnpkg /usr/local/bin/yarn
  bah run "$c" -- sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  bah config --env NODE_VERSION="$(bah run "$c" -- node -p 'process.versions.node')" \
    --env npm_config_nodedir=/usr --env PATH=$DEB_PATH --cmd '["node"]' "$c"
  commit_image "$c" "${TAGS[@]}"
}

# node:16 and node:16-slim: an end-of-life Node.js with no distroless image.
# node:16 is laid out like upstream's images, whose Node.js is the nodejs.org Linux
# build unpacked into /usr/local: dfslim's rewrite copies /usr/local/bin/node onto
# distroless cc. It is this machine's node (NodeSource's package installs that very
# build; setup stops if it needs libraries beyond glibc, libstdc++ and libgcc_s) and
# npm (at /usr/local/lib/node_modules/npm, linked from /usr/local/bin), with user
# node (1000); no compilers. node:16-slim is Debian's nodejs alone (no npm, no
# compilers) with user node (1000), for the hand-written Chainguard expert (slim rung).
# So node:16 runs the machine's Node.js (20 here), node:16-slim bookworm's 18.
img_node_eol_builder() {
  if [ "$LIST" = 1 ]; then echo docker.io/library/node:16; return 0; fi
  local node npm
  node=$(readlink -f "$(command -v node)") || die "node:16 copies this machine's node: none found"
  npm=$(dirname "$node")/../lib/node_modules/npm
  [ -f "$npm/package.json" ] || die "node:16 copies this machine's npm: no $npm"
  want "$(stamp img_node_eol_builder "$(image_stamp debian:bookworm)" "$(sha256sum <"$node")" \
    "$(cat "$npm/package.json" | sha256sum)")" docker.io/library/node:16 || return 0
  local c m; c=$(new_ctr docker.io/library/debian:bookworm)
  apt_install "$c" ca-certificates
  m=$(bah mount "$c")
  install -D -m 0755 "$node" "$m/usr/local/bin/node"
  mkdir -p "$m/usr/local/lib/node_modules"; cp -a "$npm" "$m/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$m/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$m/usr/local/bin/npx"
  bah umount "$c" >/dev/null
  bah run "$c" -- /usr/local/bin/node -e 'require("zlib"); require("crypto")' ||
    die "$node does not run on bare Debian: not a self-contained nodejs.org build"
  bah run "$c" -- sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  bah config --env NODE_VERSION="$(bah run "$c" -- node -p 'process.versions.node')" \
    --env PATH=$DEB_PATH --cmd '["node"]' "$c"
  commit_image "$c" "${TAGS[@]}"
}

img_node_eol() {
  want "$(stamp img_node_eol "$(image_stamp debian:bookworm)")" docker.io/library/node:16-slim || return 0
  local c; c=$(new_ctr docker.io/library/debian:bookworm)
  apt_install "$c" nodejs
  bah run "$c" -- sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  bah config --env NODE_VERSION="$(bah run "$c" -- node -p 'process.versions.node')" \
    --env PATH=$DEB_PATH --cmd '["node"]' "$c"
  commit_image "$c" "${TAGS[@]}"
}

# python:3.11: Debian's python3 + pip + venv, python3/pip at /usr/local/bin as upstream.
img_python() {
  want "$(stamp img_python "$(image_stamp debian:bookworm)")" \
    docker.io/library/python:3.11 docker.io/library/python:3.11-bookworm \
    docker.io/library/python:3.11-slim docker.io/library/python:3.11-slim-bookworm || return 0
  local c; c=$(new_ctr docker.io/library/debian:bookworm)
  apt_install "$c" ca-certificates python3 python3-pip python3-venv
  # upstream's python image lets pip install system-wide (no PEP 668 marker)
  bah run "$c" -- sh -c 'rm -f /usr/lib/python3*/EXTERNALLY-MANAGED &&
    for b in python3 python pip3 pip; do t=/usr/bin/$b; [ -e $t ] || t=/usr/bin/${b%3}3; ln -sf $t /usr/local/bin/$b; done &&
    ln -sf /usr/bin/python3 /usr/local/bin/python && ln -sf /usr/bin/pip3 /usr/local/bin/pip &&
    mkdir -p /usr/local/lib/python3.11/site-packages &&
    rm -rf /usr/local/lib/python3.11/dist-packages &&
    ln -s site-packages /usr/local/lib/python3.11/dist-packages'
  # upstream installs packages in /usr/local/lib/python3.11/site-packages; Debian's
  # pip writes to dist-packages, so that name points at the upstream directory.
  bah config --env PYTHON_VERSION=3.11.2 --env LANG=C.UTF-8 --env PATH=$DEB_PATH --cmd '["python3"]' "$c"
  commit_image "$c" "${TAGS[@]}"
}

# eclipse-temurin:17: Debian's openjdk-17-jdk-headless at /opt/java/openjdk.
img_temurin() {
  want "$(stamp img_temurin "$(image_stamp debian:bookworm)")" \
    docker.io/library/eclipse-temurin:17 docker.io/library/eclipse-temurin:17-jdk || return 0
  local c; c=$(new_ctr docker.io/library/debian:bookworm)
  apt_install "$c" ca-certificates openjdk-17-jdk-headless
  bah run "$c" -- sh -c 'mkdir -p /opt/java && ln -s /usr/lib/jvm/java-17-openjdk-amd64 /opt/java/openjdk'
  bah config --env JAVA_HOME=/opt/java/openjdk --env PATH=/opt/java/openjdk/bin:$DEB_PATH \
    --env JAVA_VERSION="jdk-$(bah run "$c" -- sh -c 'java -version 2>&1 | sed -n "1s/[^\"]*\"\([^\"]*\)\".*/\1/p"')" \
    --cmd '["jshell"]' "$c"
  commit_image "$c" "${TAGS[@]}"
}

# public.ecr.aws/lambda/provided:al2 and :al2023 (same content here): Debian +
# the AWS layout: /lambda-entrypoint.sh, /var/runtime, /var/task, the RIE.
img_lambda() {
  want "$(stamp img_lambda "$(image_stamp debian:bookworm)" "$E2E_RIE_VERSION")" \
    public.ecr.aws/lambda/provided:al2023 public.ecr.aws/lambda/provided:al2 \
    public.ecr.aws/lambda/provided:al2023-x86_64 public.ecr.aws/lambda/provided:al2-x86_64 || return 0
  build_rie
  local c m; c=$(new_ctr docker.io/library/debian:bookworm)
  m=$(bah mount "$c")
  mkdir -p "$m/var/runtime" "$m/var/task" "$m/opt" "$m/usr/local/bin"
  install -m 0755 "$E2E_RIE" "$m/usr/local/bin/aws-lambda-rie"
  cat >"$m/lambda-entrypoint.sh" <<'EOF'
#!/bin/sh
# Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.

if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"

RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie $RUNTIME_ENTRYPOINT
else
  exec $RUNTIME_ENTRYPOINT
fi
EOF
  chmod 0755 "$m/lambda-entrypoint.sh"; bah umount "$c" >/dev/null
  bah config --env LANG=en_US.UTF-8 --env TZ=:/etc/localtime \
    --env PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin \
    --env LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib \
    --env LAMBDA_TASK_ROOT=/var/task --env LAMBDA_RUNTIME_DIR=/var/runtime \
    --workingdir /var/task "$c"
  bah config --cmd '' "$c"; bah config --entrypoint '["/lambda-entrypoint.sh"]' "$c"
  commit_image "$c" "${TAGS[@]}"
}

# gcr.io/distroless/NAME-debian12:{latest,nonroot,debug,debug-nonroot}
#   img_distroless NAME ENTRYPOINT-JSON "ENV=V ..." PKG...   (ENTRYPOINT-JSON may be "")
img_distroless() {
  local name=$1 entry=$2 envs=$3; shift 3
  local repo=gcr.io/distroless/$name-debian12
  want "$(stamp img_distroless "$(rootfs_recipe)" "$name" "$entry" "$envs" "$@")" \
    "$repo:latest" "$repo:nonroot" "$repo:debug" "$repo:debug-nonroot" || return 0
  local r=$E2E_CACHE/rootfs/distroless-$name v c m e
  mkrootfs "$r" base-files netbase tzdata media-types "$@"
  busybox_tree "$E2E_CACHE/rootfs/busybox"
  finish_distroless "$r"
  case $name in
    python3) ln -sf python3.11 "$r/usr/bin/python3" ;;
    nodejs20) mkdir -p "$r/nodejs/bin"; ln -sf /usr/bin/node "$r/nodejs/bin/node" ;;
    java17) ln -sf /usr/lib/jvm/java-17-openjdk-amd64/bin/java "$r/usr/bin/java" ;;
  esac
  for v in latest nonroot debug debug-nonroot; do
    c=$(new_ctr scratch); m=$(bah mount "$c"); cp -a "$r/." "$m/"
    local path=$DEB_PATH ep=$entry
    if [[ $v == debug* ]]; then
      add_busybox_path "$m"; path=$path:/busybox
      [ -n "$ep" ] || ep='["/busybox/sh"]'     # static/base/cc debug: ENTRYPOINT /busybox/sh
    fi
    bah umount "$c" >/dev/null
    local args=(--env PATH="$path" --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt)
    for e in $envs; do args+=(--env "$e"); done
    [ -z "$ep" ] || args+=(--entrypoint "$ep")
    if [[ $v == *nonroot ]]; then args+=(--user 65532 --workingdir /home/nonroot)
    else args+=(--user 0 --workingdir /); fi
    bah config "${args[@]}" "$c"
    commit_image "$c" "$repo:$v"
  done
  rm -rf "$r"
}

# cgr.dev/chainguard/NAME:{latest,latest-dev}
#   img_chainguard NAME USER WORKDIR ENTRYPOINT-JSON "ENV=V ..." PKG...
img_chainguard() {
  local name=$1 user=$2 wd=$3 entry=$4 envs=$5; shift 5
  local repo=cgr.dev/chainguard/$name
  want "$(stamp img_chainguard "$(rootfs_recipe)" "$name" "$user" "$wd" "$entry" "$envs" "$@")" \
    "$repo:latest" "$repo:latest-dev" || return 0
  local r=$E2E_CACHE/rootfs/chainguard-$name v c m e
  mkrootfs "$r" "$@"
  busybox_tree "$E2E_CACHE/rootfs/busybox"
  finish_chainguard "$r" "$user"
  [ -z "$wd" ] || { mkdir -p "$r$wd"; chown 65532:65532 "$r$wd"; }
  case $name in
    python) ln -sf python3.11 "$r/usr/bin/python3"; ln -sf python3.11 "$r/usr/bin/python" ;;
    jre) mkdir -p "$r/usr/bin"; ln -sf /usr/lib/jvm/java-17-openjdk-amd64/bin/java "$r/usr/bin/java" ;;
  esac
  for v in latest latest-dev; do
    c=$(new_ctr scratch); m=$(bah mount "$c"); cp -a "$r/." "$m/"
    [ $v = latest ] || add_busybox_bin "$m"
    bah umount "$c" >/dev/null
    local args=(--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt --user 65532)
    for e in $envs; do args+=(--env "$e"); done
    [ -z "$entry" ] || args+=(--entrypoint "$entry")
    [ -z "$wd" ] || args+=(--workingdir "$wd")
    bah config "${args[@]}" "$c"
    commit_image "$c" "$repo:$v"
  done
  rm -rf "$r"
}

# gcr.io/distroless/NAME-debian13:TAG as a second name of the debian12
# stand-in. dfslim picks debian13 when a builder's Debian generation is not
# bookworm (golang:1.26, rust:1 and eclipse-temurin:17 tags name none); the
# stand-in builders are bookworm, so the same bookworm content serves both.
alias_debian13() {
  local name v
  for name in "$@"; do
    for v in latest nonroot debug debug-nonroot; do
      if [ "$LIST" = 1 ]; then echo "gcr.io/distroless/$name-debian13:$v"; continue; fi
      bah tag "gcr.io/distroless/$name-debian12:$v" "gcr.io/distroless/$name-debian13:$v"
    done
  done
}

# public.ecr.aws/awsguru/aws-lambda-adapter: FROM scratch with /lambda-adapter, as upstream;
# here a placeholder program (images/lambda-adapter: says what it is, exits 1), since the
# real one is not reachable. Apps copy it into /opt/extensions, which only Lambda runs.
img_lambda_adapter() {
  want "$(stamp img_lambda_adapter "$(cat "$E2E_DIR/images/lambda-adapter/main.go")")" \
    public.ecr.aws/awsguru/aws-lambda-adapter:1.0.0-rc1 public.ecr.aws/awsguru/aws-lambda-adapter:0.7.0 || return 0
  local c m; c=$(new_ctr scratch)
  m=$(bah mount "$c")
  (cd "$E2E_DIR/images/lambda-adapter" && CGO_ENABLED=0 GOFLAGS=-trimpath go build -o "$m/lambda-adapter" main.go)
  bah umount "$c" >/dev/null
  commit_image "$c" "${TAGS[@]}"
}

# ---------------------------------------------------------------- main
main() {
  [ "$LIST" = 1 ] || { install_tools; mkdir -p "$E2E_CACHE/rootfs" "$E2E_RUNROOT"; }
  local t0=$SECONDS
  img_debian
  img_golang
  img_rust
  img_node
  img_node_eol_builder
  img_node_eol
  img_python
  img_temurin
  img_lambda
  img_lambda_adapter
  img_assembler    # used by mkrootfs for the images below
  # distroless (debian12), package sets from distroless' *.bzl
  local cc="libc6 libssl3 libgomp1 libstdc++6 libgcc-s1 gcc-12-base"
  img_distroless static   ''                         ''
  img_distroless base     ''                         ''          libc6 libssl3
  img_distroless cc       ''                         ''          $cc
  img_distroless python3  '["/usr/bin/python3.11"]'  'LANG=C.UTF-8' $cc python3.11-minimal libpython3.11-stdlib
  img_distroless nodejs20 '["/nodejs/bin/node"]'     ''          $cc nodejs
  img_distroless java17   '["/usr/bin/java","-jar"]' 'JAVA_VERSION=17 LANG=C.UTF-8' libc6 zlib1g openjdk-17-jre-headless
  # Chainguard stand-ins (Wolfi content approximated with Debian packages)
  img_chainguard static        nonroot '' ''                     ''  tzdata
  img_chainguard glibc-dynamic nonroot '' ''                     ''  libc6 libgcc-s1 libstdc++6
  img_chainguard node          node    /app '["/usr/bin/node"]'  ''  nodejs
  img_chainguard python        nonroot '' '["/usr/bin/python"]'  'LANG=C.UTF-8' python3.11-minimal libpython3.11-stdlib
  img_chainguard jre           java    /app '["/usr/bin/java"]'  'JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 LANG=C.UTF-8' openjdk-17-jre-headless
  alias_debian13 static base cc java17
  # builders that trust this machine's proxy CA, for real apps (realapps.sh); only
  # Go and Node: crates.io, PyPI and Maven Central are not reachable from here at all
  local b
  for b in golang:1.26 node:20 node:16; do img_proxy_builder "docker.io/library/$b"; done
  [ "$LIST" = 1 ] && return
  log "setup done in $((SECONDS - t0))s; built ${#BUILT[@]} image(s)"
}
main
