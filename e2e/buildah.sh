#!/usr/bin/env bash
# buildah with the e2e image store (see env.sh). Example: e2e/buildah.sh images
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec buildah "${E2E_STORAGE_OPTS[@]}" "$@"
