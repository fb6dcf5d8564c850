#!/usr/bin/env bash
# e2e/lib.sh: build, run and inspect images in the e2e store (see env.sh).
# Source it for the functions, or call it as a command (e.g. from a Go test):
#
#   e2e/lib.sh build DIR DOCKERFILE TAG [BUD-ARGS...]   build DIR/DOCKERFILE as TAG
#   e2e/lib.sh run TAG [ARGS...]          run TAG like `docker run --rm TAG ARGS...`
#   e2e/lib.sh run_check TAG SPEC.json    behaviour test (cli | http | lambda), exit 0 = pass
#   e2e/lib.sh size TAG                   uncompressed bytes (sum of layers, as `docker images`)
#   e2e/lib.sh has_shell TAG              prints the shell path(s) found; exit 0 if any, 1 if none
#   e2e/lib.sh has_file TAG PATH...       exit 0 if all PATHs exist in the image
#   e2e/lib.sh user TAG                   the image's USER ("" = root)
#   e2e/lib.sh config TAG                 {User, WorkingDir, Entrypoint, Cmd, Env} as JSON
#   e2e/lib.sh rmi TAG...                 remove images
#   e2e/lib.sh cleanup                    remove leftover e2e-run-* containers
#
# How containers run: `buildah from` + `buildah run --isolation chroot CTR -- ARGV`,
# where ARGV = image Entrypoint + (ARGS or Cmd), composed here like Docker does,
# because `buildah run` ignores ENTRYPOINT/CMD. User, WorkingDir and Env come
# from the image config. chroot isolation shares the host network: servers
# bind on the host's loopback, so concurrent tests need distinct ports.
# Lambda images run under the host's aws-lambda-rie bind-mounted at
# /aws-lambda/aws-lambda-rie (as in AWS' `docker run --entrypoint` recipe), so
# the same test works for AWS bases and for shell-less distroless/Chainguard ones.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

build() { # build DIR DOCKERFILE TAG [BUD-ARGS...]
  local dir=$1 df=$2 tag=$3; shift 3
  [[ $df = /* ]] || df=$dir/$df
  bah bud --pull=never --isolation chroot --format docker --layers=false --quiet \
    -f "$df" -t "$tag" "$@" "$dir" >/dev/null
}

size() { # size TAG -> bytes
  bah inspect --type image --format '{{.Manifest}}' "$1" | jq '[.layers[].size] | add // 0'
}

config() { # config TAG -> JSON
  bah inspect --type image "$1" | jq -c '.OCIv1.config | {User: (.User // ""), WorkingDir: (.WorkingDir // ""), Entrypoint: (.Entrypoint // []), Cmd: (.Cmd // []), Env: (.Env // [])}'
}

user() { config "$1" | jq -r .User; }

has_shell() { # has_shell TAG: prints the shells present (symlinks count), exit 1 if none
  local c m rc=0
  c=$(bah from --pull=never --quiet "$1"); m=$(bah mount "$c")
  shells_in "$m" || rc=$?
  bah umount "$c" >/dev/null; bah rm "$c" >/dev/null
  return $rc
}
shells_in() { # shells_in ROOTDIR
  local p found=1
  for p in /bin/sh /usr/bin/sh /bin/bash /usr/bin/bash /bin/ash /busybox/sh; do
    if [ -e "$1$p" ] || [ -L "$1$p" ]; then echo "$p"; found=0; fi
  done
  return $found
}

has_file() { # has_file TAG PATH...: exit 0 if every PATH exists in the image
  local c m p rc=0
  c=$(bah from --pull=never --quiet "$1"); m=$(bah mount "$c"); shift
  for p in "$@"; do [ -e "$m$p" ] || [ -L "$m$p" ] || { echo "missing: $p"; rc=1; }; done
  bah umount "$c" >/dev/null; bah rm "$c" >/dev/null
  return $rc
}

rmi() { local t; for t in "$@"; do bah rmi -f "$t" >/dev/null 2>&1 || true; done; }

# argv TAG [ARGS...]: Docker's rule, NUL-separated: Entrypoint + (ARGS or Cmd).
argv() {
  local tag=$1 cfg; shift
  cfg=$(config "$tag") || return 1
  jq -j '.Entrypoint | map(. + "\u0000") | add // ""' <<<"$cfg"
  if [ $# -gt 0 ]; then printf '%s\0' "$@"
  else jq -j '.Cmd | map(. + "\u0000") | add // ""' <<<"$cfg"; fi
}

# run TAG [ARGS...]: foreground, container removed afterwards. RUN_ENV="K=V ..."
# adds environment; RUN_VOLUMES="host:ctr ..." adds bind mounts; RUN_WRAP="prog args"
# is put in front of ARGV (used for the RIE).
run() {
  local c rc=0
  c=$(new_run_ctr "$1")
  run_in "$c" "$@" || rc=$?
  bah rm "$c" >/dev/null 2>&1 || true
  return $rc
}

# Containers for running are named e2e-run-*: `e2e/lib.sh cleanup` removes leftovers.
new_run_ctr() { bah from --pull=never --quiet --name "e2e-run-$$-$RANDOM$RANDOM" "$1"; }
cleanup() {
  local c; for c in $(bah containers --format '{{.ContainerName}}' | grep '^e2e-run-'); do bah rm "$c" >/dev/null; done
}

run_in() { # run_in CTR TAG [ARGS...]
  local c=$1 tag=$2; shift 2
  local -a cmd opts=() wrap=()
  readarray -d '' cmd < <(argv "$tag" "$@")
  [ ${#cmd[@]} -gt 0 ] || { echo "run: $tag has no ENTRYPOINT/CMD" >&2; return 2; }
  local e; for e in ${RUN_ENV:-}; do opts+=(-e "$e"); done
  for e in ${RUN_VOLUMES:-}; do opts+=(-v "$e"); done
  [ -z "${RUN_WRAP:-}" ] || read -ra wrap <<<"$RUN_WRAP"
  bah run --isolation chroot "${opts[@]}" "$c" -- "${wrap[@]}" "${cmd[@]}"
}

# kill_tree PID: TERM a process and all its descendants, snapshotted first (a
# parent dying first would orphan its children to init); KILL what is left.
descendants() {
  local k; for k in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$k"; descendants "$k"; done
}
kill_tree() {
  local pids p i; pids="$1 $(descendants "$1")"
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    for p in $pids; do [ -d /proc/"$p" ] && [ "$(awk '{print $3}' /proc/"$p"/stat 2>/dev/null)" != Z ] && break; p=""; done
    [ -z "$p" ] && return 0
    sleep 0.1
  done
  kill -KILL $pids 2>/dev/null || true
}

# wait_port PORT SECONDS: until something accepts on 127.0.0.1:PORT.
wait_port() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# wait_free PORT...: wait up to E2E_PORT_WAIT (30) s for the ports to be free;
# on timeout, show who listens and fail.
wait_free() {
  local i p busy
  for ((i = 0; i < ${E2E_PORT_WAIT:-30} * 10; i++)); do
    busy=""; for p in "$@"; do port_free "$p" || busy="$busy $p"; done
    [ -z "$busy" ] && return 0
    sleep 0.1
  done
  echo "port(s)$busy still in use:"; ss -ltnp 2>/dev/null | grep -E "$(echo $busy | sed 's/ /|/g; s/\([0-9]*\)/:\1 /g')" | sed 's/^/  | /'
  return 1
}

# run_check TAG SPEC.json: behaviour test. SPEC fields (see testdata/e2e/*/e2e.json):
#   {"type":"cli",    "args":[...], "stdout":"exact output"}
#   {"type":"http",   "port":18081, "path":"/x", "body":"exact body", "env":{"K":"V"}}
#   {"type":"lambda", "port":19001, "event":{...}, "response":{...}}   (JSON compared)
# Prints "PASS ..." or "FAIL ..." (with the container's log); exit status follows.
run_check() {
  local tag=$1 spec=$2 type
  type=$(jq -r .type "$spec")
  RUN_ENV=$(jq -r '(.env // {}) | to_entries | map("\(.key)=\(.value)") | join(" ")' "$spec")
  [ "$type" = cli ] && { check_cli "$tag" "$spec"; return; }
  case $type in http | lambda) ;; *) echo "FAIL $tag: unknown spec type '$type'"; return 1 ;; esac
  # http/lambda tests bind host ports: one test per port at a time, across processes
  local port lock rc=0
  port=$(jq -r '.port // 19001' "$spec"); mkdir -p "$E2E_RUNROOT"
  exec {lock}>"$E2E_RUNROOT/port-$port.lock"; flock "$lock"
  "check_$type" "$tag" "$spec" || rc=$?
  exec {lock}>&-
  return $rc
}

check_cli() {
  local tag=$1 spec=$2 want got rc=0
  local -a args; readarray -d '' args < <(jq -j '(.args // []) | map(. + "\u0000") | add // ""' "$spec")
  want=$(jq -r .stdout "$spec")
  got=$(RUN_ENV=$RUN_ENV run "$tag" "${args[@]}" 2>/tmp/e2e-cli.$$.log) || rc=$?
  if [ $rc = 0 ] && [ "$got" = "$want" ]; then echo "PASS $tag (cli)"; rm -f /tmp/e2e-cli.$$.log; return 0; fi
  echo "FAIL $tag (cli): rc=$rc"; echo "  want: $want"; echo "  got:  $got"; sed 's/^/  | /' /tmp/e2e-cli.$$.log
  rm -f /tmp/e2e-cli.$$.log; return 1
}

# start_bg LOG TAG [ARGS...]: run in the background; sets BG_PID and BG_CTR.
start_bg() {
  local log=$1; shift
  BG_CTR=$(new_run_ctr "$1")
  run_in "$BG_CTR" "$@" >"$log" 2>&1 &
  BG_PID=$!
}
stop_bg() {
  kill_tree "$BG_PID"; wait "$BG_PID" 2>/dev/null || true
  bah rm "$BG_CTR" >/dev/null 2>&1 || true
}

check_http() {
  local tag=$1 spec=$2 port path want got log rc=1
  port=$(jq -r .port "$spec"); path=$(jq -r '.path // "/"' "$spec"); want=$(jq -r .body "$spec")
  wait_free "$port" || { echo "FAIL $tag (http): port $port already in use"; return 1; }
  log=$(mktemp)
  start_bg "$log" "$tag"
  if wait_port "$port" "${E2E_START_TIMEOUT:-30}"; then
    got=$(curl -sS --max-time 10 "http://127.0.0.1:$port$path" 2>&1) && [ "$got" = "$want" ] && rc=0
  else got="(nothing listening on $port)"; fi
  stop_bg
  if [ $rc = 0 ]; then echo "PASS $tag (http :$port$path)"
  else echo "FAIL $tag (http :$port$path)"; echo "  want: $want"; echo "  got:  $got"; sed 's/^/  | /' "$log"; fi
  rm -f "$log"; return $rc
}

check_lambda() {
  local tag=$1 spec=$2 port want got log rc=1
  port=$(jq -r '.port // 19001' "$spec")
  wait_free "$port" $((port + 1)) || { echo "FAIL $tag (lambda): port $port/$((port + 1)) in use"; return 1; }
  [ -x "$E2E_RIE" ] || { echo "FAIL $tag (lambda): $E2E_RIE missing (run e2e/setup.sh)"; return 1; }
  want=$(jq -S -c .response "$spec")
  log=$(mktemp)
  RUN_VOLUMES="$E2E_RIE:/aws-lambda/aws-lambda-rie:ro" \
  RUN_WRAP="/aws-lambda/aws-lambda-rie --runtime-interface-emulator-address 127.0.0.1:$port --runtime-api-address 127.0.0.1:$((port + 1))" \
    start_bg "$log" "$tag"
  if wait_port "$port" "${E2E_START_TIMEOUT:-30}"; then
    got=$(jq -c .event "$spec" | curl -sS --max-time 20 -X POST --data-binary @- \
      "http://127.0.0.1:$port/2015-03-31/functions/function/invocations" 2>&1)
    [ "$(jq -S -c . <<<"$got" 2>/dev/null)" = "$want" ] && rc=0
  else got="(RIE not listening on $port)"; fi
  stop_bg
  if [ $rc = 0 ]; then echo "PASS $tag (lambda)"
  else echo "FAIL $tag (lambda)"; echo "  want: $want"; echo "  got:  $got"; sed 's/^/  | /' "$log"; fi
  rm -f "$log"; return $rc
}

# As a command: e2e/lib.sh FUNCTION ARGS...
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    build | run | run_check | size | has_shell | has_file | user | config | rmi | cleanup) "$@" ;;
    *) sed -n '2,15p' "$0" >&2; exit 2 ;;
  esac
fi
