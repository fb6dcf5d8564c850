#!/usr/bin/env bash
# e2e/verify.sh [VERIFY-FLAGS] PATH...: `dfslim verify` with buildah on the e2e store
# (env.sh), e.g. e2e/verify.sh testdata/e2e/go-cli/Dockerfile --run-arg hello.
# Builds dfslim from this checkout first. Run e2e/setup.sh once before.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bin=$(mktemp -d)/dfslim; trap 'rm -rf "$(dirname "$bin")"' EXIT
(cd "$REPO_DIR" && go build -o "$bin" ./cmd/dfslim)
"$bin" verify "${E2E_VERIFY_FLAGS[@]}" "$@"
