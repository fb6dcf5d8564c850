# Shared settings for the e2e scripts. Source it; do not run it.
#
# Every buildah call goes through `bah` (or e2e/buildah.sh), so all of them use
# one private image store:
#   --root       /var/lib/dfslim-e2e/storage   images and layers (vfs: each layer is a full copy)
#   --runroot    /run/dfslim-e2e               locks and runtime state
#   --storage-driver vfs                       (overlay does not work in this sandbox)
#   BUILDAH_ISOLATION=chroot                   no user/net namespaces: RUN shares the host network
# Override the locations with DFSLIM_E2E_ROOT / DFSLIM_E2E_RUNROOT / DFSLIM_E2E_CACHE.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$E2E_DIR/.." && pwd)
E2E_ROOT=${DFSLIM_E2E_ROOT:-/var/lib/dfslim-e2e/storage}
E2E_RUNROOT=${DFSLIM_E2E_RUNROOT:-/run/dfslim-e2e}
E2E_CACHE=${DFSLIM_E2E_CACHE:-/var/cache/dfslim-e2e}   # .debs, debootstrap tarball, aws-lambda-rie
export BUILDAH_ISOLATION=chroot
export BUILDAH_FORMAT=docker          # keep SHELL/HEALTHCHECK like Docker does
export BUILDAH_LAYERS=false
E2E_STORAGE_OPTS=(--root "$E2E_ROOT" --runroot "$E2E_RUNROOT" --storage-driver vfs)
# `dfslim verify` on this store (e2e/verify.sh): the same store flags, environment and --pull=never.
E2E_VERIFY_FLAGS=(--engine buildah --engine-env BUILDAH_ISOLATION=chroot --engine-env BUILDAH_FORMAT=docker
  --build-flag=--pull=never)
for f in "${E2E_STORAGE_OPTS[@]}"; do E2E_VERIFY_FLAGS+=("--engine-flag=$f"); done

# Pinned inputs (changing one rebuilds the images that use it).
E2E_SUITE=bookworm
E2E_MIRROR=${DFSLIM_E2E_MIRROR:-http://deb.debian.org/debian}
E2E_SECURITY_MIRROR=${DFSLIM_E2E_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
E2E_RIE_MOD=github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
E2E_RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
E2E_RIE=$E2E_CACHE/bin/aws-lambda-rie

bah() { buildah "${E2E_STORAGE_OPTS[@]}" "$@"; }

log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
