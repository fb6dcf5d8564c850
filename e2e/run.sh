#!/usr/bin/env bash
# e2e/run.sh: the end-to-end suite as CI runs it. Assembles the stand-in base
# images (cached; a no-op when they are up to date), then builds and runs every
# sample app before and after "dfslim fix -w" (e2e/e2e_test.go), writing
# e2e/RESULTS.md and e2e/sizes.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
bash e2e/setup.sh
echo "e2e setup: $((SECONDS - t0)) s"
DFSLIM_E2E=1 go test ./e2e -run TestE2E -v -count=1 -timeout 75m
echo "e2e total: $((SECONDS - t0)) s"
