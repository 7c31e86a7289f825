#!/usr/bin/env bash
# The GPU check of issue 11, on a machine with a GPU and nothing installed (prepared by
# prepare.sh; run from the repository root with $OUT set by the device tool). Two parts, one
# device call each, each under 10 minutes:
#   bash .cache/gpu-check/run.sh bench   (about 5 minutes)
#     1. npm run bench:gpu's bundle: LeNet5 (64), ResNet18Cifar (128), GoogLeNetCifar (128),
#        ResNet-50 and VGG16 at 224×224 (32) on WebGPU against PyTorch with CUDA (the machine's
#        python3, torch 2.11), defaults and strict fp32, median of 3 (a 45 s budget a network),
#        then the dispatches and read-backs of one ResNet18Cifar step;
#     2. the test that one WebGPU training step's gradients agree with the JS backend's, and
#        the batchnorm training kernels' test against the JS backend's stock layer.
#   bash .cache/gpu-check/run.sh train   (at most 7.5 minutes)
#     3. LeNet-5 on MNIST (5 epochs, seed 42) on WebGPU and, at the same time, on the CPU (wasm):
#        their test accuracies must be within 0.3 points;
#     4. GoogLeNetCifar on CIFAR-10 (../shared/data's JPEG copy, rebuilt in the binary layout) on
#        WebGPU for 120 s (then cancelled, as Ctrl+C does), 10,000 images an epoch so that
#        validation runs: images/s and the validation accuracy it reached.
# Results go to $OUT: summary.txt and each step's raw output.
set -uo pipefail
part="${1:-bench}"
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
{ nvidia-smi -L; node --version; python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0))'
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null
  lib="$(ldconfig -p | awk '/libGLX_nvidia.so.0/ {print $NF; exit}')"; [ -n "$lib" ] && ldd "$lib" | grep 'not found'; } > "$out/machine.txt" 2>&1

if [ "$part" = bench ]; then
  timeout 420 node "$work/engine/dist/gpu-bench.js" --warmup 3 --steps 10 --repeats 3 --budget 45 > "$out/bench.txt" 2> "$out/bench.err"
  echo "bench exit $?" >> "$out/bench.err"
  cp -r "$work/engine/samples" "$work/samples"
  timeout 90 node --test "$work/engine/dist/webgpu-agreement.test.js" > "$out/agreement.txt" 2>&1
  timeout 60 node --test "$work/engine/dist/webgpu-batchnorm.test.js" >> "$out/agreement.txt" 2>&1
  { cat "$out/machine.txt"; echo; cat "$out/bench.txt"; tail -n 3 "$out/bench.err"
    grep -E '^(not )?ok |# (pass|fail|skipped)|relative error' "$out/agreement.txt"; } | tee "$out/summary.txt"
  exit 0
fi

train() { # backend model-file model data-dir seconds extra-args...
  local backend="$1" file="$2" model="$3" data="$4" seconds="$5"; shift 5
  timeout -s INT "$seconds" node "$engine" train "$file" --model "$model" --backend "$backend" --data-dir "$data" \
    --runs-dir "$work/runs-$model-$backend" --json "$@" > "$out/train-$model-$backend.jsonl" 2> "$out/train-$model-$backend.err"
}
train webgpu "$work/engine/samples/lenet5.cnn" LeNet5 "$work/data" 300 & gpu_pid=$!
train wasm "$work/engine/samples/lenet5.cnn" LeNet5 "$work/data" 300 & cpu_pid=$!
node "$work/tools/cifar-binary.mjs" "$work/data/cifar10/cifar10-jpg.tar.gz" "$work/data/cifar10" > "$out/cifar.txt" 2>&1
wait $gpu_pid
wait $cpu_pid
train webgpu "$work/engine/dist/networks/googlenet.cnn" GoogLeNetCifar "$work/data" 120 --limit 10000

node - "$out" <<'JS' | tee "$out/summary.txt"
const dir = process.argv[2];
const fs = require('node:fs');
const read = (name) => {
  const path = `${dir}/train-${name}.jsonl`;
  const lines = fs.existsSync(path) ? fs.readFileSync(path, 'utf8').trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) : [];
  const of = (type) => lines.filter((e) => e.type === type);
  return { backend: of('backend')[0], done: of('done')[0], error: of('error')[0], epochs: of('epochEnd'), batches: of('batch') };
};
console.log(fs.readFileSync(`${dir}/machine.txt`, 'utf8'));
const gpu = read('LeNet5-webgpu');
const cpu = read('LeNet5-wasm');
for (const [name, run] of [['LeNet5 GPU', gpu], ['LeNet5 CPU', cpu]]) {
  if (run.done) console.log(`${name}: ${run.backend.reason}: test accuracy ${(run.done.testAccuracy * 100).toFixed(2)}% in ${run.done.trainingSeconds.toFixed(1)} s`);
  else console.log(`${name}: no result: ${run.error ? run.error.message : 'see its .err file'}`);
}
if (gpu.done && cpu.done) {
  const gap = Math.abs(gpu.done.testAccuracy - cpu.done.testAccuracy) * 100;
  console.log(`LeNet5 accuracy gap ${gap.toFixed(2)} points: ${gap <= 0.3 ? 'within' : 'NOT within'} 0.3`);
}
const g = read('GoogLeNetCifar-webgpu');
const rates = g.epochs.map((e) => e.examplesPerSecond);
const last = g.epochs.at(-1);
const lastBatch = g.batches.at(-1);
console.log(`GoogLeNetCifar on WebGPU, 120 s: ${g.epochs.length} epochs of 10,000 images` +
  (rates.length ? `, ${rates.map((r) => r.toFixed(0)).join(' / ')} images/s by epoch` : lastBatch ? `, ${lastBatch.examplesPerSecond} images/s (epoch 1 unfinished)` : ', no batch finished') +
  (last && last.valAccuracy !== undefined ? `; validation accuracy ${(last.valAccuracy * 100).toFixed(2)}% after epoch ${g.epochs.length}` : ''));
JS
