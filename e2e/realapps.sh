#!/usr/bin/env bash
# e2e/realapps.sh [APP_DIR ...]: build the real apps of shared/corpus/apps that
# dfslim rewrites, before and after, with `dfslim verify` on buildah, and
# rewrite e2e/REALAPPS.md (per-app results are kept in e2e/realapps/*.json, so
# naming some apps updates only their rows). Runs setup.sh first (cached).
# Hours for all apps on 2 cores; CI runs a fixed few (DFSLIM_REALAPPS=ci).
set -euo pipefail
cd "$(dirname "$0")/.."
bash e2e/setup.sh
only=$(IFS=,; echo "$*")
DFSLIM_E2E=1 DFSLIM_REALAPPS=all DFSLIM_REALAPPS_ONLY=$only \
  go test ./e2e -run TestRealApps -v -count=1 -timeout 600m
