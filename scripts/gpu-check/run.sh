#!/usr/bin/env bash
# The GPU check of issue 7, on a machine with a GPU and nothing installed (prepared by
# prepare.sh; run from the repository root as `bash .cache/gpu-check/run.sh`, with $OUT set by
# the device tool). In under 4 minutes it:
#   1. trains LeNet-5 on MNIST (samples/lenet5.cnn: 5 epochs, seed 42) on WebGPU and, at the
#      same time, on the CPU (wasm), and compares their test accuracies (must be within 0.5 points);
#   2. runs the GPU benchmark (LeNet-5, GoogLeNet and ResNet-18 on CIFAR-shaped batches);
#   3. runs the test that one WebGPU training step's gradients agree with the JS backend's.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$here/out}"
mkdir -p "$out"
work="$(mktemp -d)"
tar -xJf "$here/bundle.tar.xz" -C "$work"
export PATH="$work/node:$PATH"
export LD_LIBRARY_PATH="$work/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
engine="$work/engine/bin/convlab.js"
# Containers with NVIDIA's runtime often mount the driver's Vulkan ICD outside the loader's search
# path; point the loader at it when the usual folders hold none.
if ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  icd="$(find /usr/local/nvidia /usr/share /etc /usr/lib -name 'nvidia_icd*.json' 2>/dev/null | head -n 1)"
  [ -n "$icd" ] && export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
fi
{ nvidia-smi -L; node --version; echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null
  lib="$(ldconfig -p | awk '/libGLX_nvidia.so.0/ {print $NF; exit}')"; [ -n "$lib" ] && ldd "$lib" | grep 'not found'; } > "$out/machine.txt" 2>&1

train() { # backend
  timeout 200 node "$engine" train "$work/engine/samples/lenet5.cnn" --backend "$1" --data-dir "$work/data" \
    --runs-dir "$work/runs-$1" --json > "$out/train-$1.jsonl" 2> "$out/train-$1.err"
}
train webgpu & gpu_pid=$!
train wasm & cpu_pid=$!
wait $gpu_pid; gpu_rc=$?
timeout 90 node "$work/engine/dist/gpu-bench.js" --batches 20 > "$out/bench.txt" 2> "$out/bench.err"
wait $cpu_pid; cpu_rc=$?
cp -r "$work/engine/samples" "$work/samples"
timeout 60 node --test "$work/engine/dist/webgpu-agreement.test.js" > "$out/agreement.txt" 2>&1

node - "$out" "$gpu_rc" "$cpu_rc" <<'JS' | tee "$out/summary.txt"
const [dir, gpuRc, cpuRc] = process.argv.slice(2);
const fs = require('node:fs');
const read = (backend) => {
  const lines = fs.readFileSync(`${dir}/train-${backend}.jsonl`, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { backend: lines.find((e) => e.type === 'backend'), done: lines.find((e) => e.type === 'done'), error: lines.find((e) => e.type === 'error') };
};
const gpu = read('webgpu');
const cpu = read('wasm');
for (const [name, run, rc] of [['GPU', gpu, gpuRc], ['CPU', cpu, cpuRc]]) {
  if (run.done) console.log(`${name}: ${run.backend.reason}: test accuracy ${(run.done.testAccuracy * 100).toFixed(2)}% in ${run.done.trainingSeconds.toFixed(1)} s`);
  else console.log(`${name}: no result (exit ${rc}): ${run.error ? run.error.message : 'see train-*.err'}`);
}
if (gpu.done && cpu.done) {
  const gap = Math.abs(gpu.done.testAccuracy - cpu.done.testAccuracy) * 100;
  console.log(`accuracy gap ${gap.toFixed(2)} points: ${gap <= 0.5 ? 'within' : 'NOT within'} 0.5`);
}
console.log(fs.readFileSync(`${dir}/bench.txt`, 'utf8'));
const agreement = fs.readFileSync(`${dir}/agreement.txt`, 'utf8');
console.log(agreement.split('\n').filter((line) => /^(not )?ok |# (pass|fail|skipped)|relative error/.test(line)).join('\n'));
JS
