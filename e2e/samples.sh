#!/usr/bin/env bash
# e2e/samples.sh: build every sample app in testdata/e2e/<app>/ from each of its
# Dockerfiles (Dockerfile = "orig", Dockerfile.expert = "expert",
# Dockerfile.expert-chainguard = "expert-chainguard"), run its behaviour test
# (e2e.json), and record size, user and shell of each image in e2e/SAMPLES.md.
#
#   e2e/samples.sh [APP...]       default: every app; images are tagged e2e/<app>:<flavour>
#   E2E_SAMPLES_OUT=path          where to write the table (default e2e/SAMPLES.md)
# Needs e2e/setup.sh first. Prints "N passed, M failed"; exit 1 on any failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SAMPLES=$REPO_DIR/testdata/e2e
OUT=${E2E_SAMPLES_OUT:-$E2E_DIR/SAMPLES.md}
apps=("$@")
[ ${#apps[@]} -gt 0 ] || for d in "$SAMPLES"/*/; do [ -f "$d/e2e.json" ] && apps+=("$(basename "$d")"); done

pass=0 fail=0 rows=() t0=$SECONDS
for app in "${apps[@]}"; do
  dir=$SAMPLES/$app
  for df in "$dir"/Dockerfile "$dir"/Dockerfile.expert*; do
    [ -f "$df" ] || continue
    name=$(basename "$df"); flavour=${name#Dockerfile.}; [ "$name" = Dockerfile ] && flavour=orig
    tag=e2e/$app:$flavour
    s=$SECONDS; log "build $tag"
    if ! build "$dir" "$name" "$tag" 2>"/tmp/e2e-build.$$"; then
      tail -20 "/tmp/e2e-build.$$"; echo "FAIL $tag (build)"
      fail=$((fail + 1)); rows+=("| $app | $flavour | build failed | | | | |"); continue
    fi
    bt=$((SECONDS - s))
    if run_check "$tag" "$dir/e2e.json"; then ok=yes; pass=$((pass + 1)); else ok=NO; fail=$((fail + 1)); fi
    bytes=$(size "$tag"); usr=$(user "$tag")
    shells=$(has_shell "$tag" | paste -sd' ' -); [ -n "$shells" ] || shells=none
    rows+=("| $app | $flavour | $bytes | $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') | ${usr:-root} | $shells | $ok | ${bt}s |")
  done
done

{
  echo "# Sample apps: original vs expert images"
  echo
  echo "Written by \`e2e/samples.sh\` on $(date -u +%Y-%m-%d) (buildah $(buildah --version | awk '{print $3}'), vfs, chroot isolation)."
  echo "Size = uncompressed bytes, sum of the image's layers (what \`docker images\` shows). Base images are the"
  echo "local stand-ins from \`e2e/setup.sh\`, so absolute sizes differ from the registries' images."
  echo
  echo "| app | flavour | bytes | MB | user | shells | behaviour ok | build |"
  echo "|---|---|---:|---:|---|---|---|---:|"
  printf '%s\n' "${rows[@]}"
} >"$OUT"
log "samples done in $((SECONDS - t0))s; table in $OUT"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
