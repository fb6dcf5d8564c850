#!/usr/bin/env bash
# e2e/run.sh: the end-to-end suite as CI runs it. Assembles the stand-in base
# images (cached; a no-op when they are up to date), then builds and runs every
# sample app before and after "dfslim fix -w" (e2e/e2e_test.go), writing
# e2e/RESULTS.md and e2e/sizes.svg; then `dfslim verify` on three sample apps
# and three real apps (e2e/REALAPPS.md rows).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
bash e2e/setup.sh
echo "e2e setup: $((SECONDS - t0)) s"
DFSLIM_E2E=1 go test ./e2e -run TestE2E -v -count=1 -timeout 75m
echo "e2e samples: $((SECONDS - t0)) s"
# dfslim verify on three sample apps, then on three real apps (e2e/realapps.sh runs them all)
t1=$SECONDS
DFSLIM_E2E=1 DFSLIM_REALAPPS=ci go test ./e2e -run 'TestVerify|TestRealApps' -v -count=1 -timeout 60m
echo "e2e verify + real apps: $((SECONDS - t1)) s"
echo "e2e total: $((SECONDS - t0)) s"
