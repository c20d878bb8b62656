#!/usr/bin/env bash
# One command for a machine with an NVIDIA GPU, under 5 minutes: what the GPU is, the device tests on CUDA,
# a 60-s Fashion-MNIST run and a 90-s one-shot run on CUDA (the first one evaluated on the test pairs), the
# same two recipes briefly on the CPU, the GPU/CPU training throughput (benchmarks/gpu_compare.py), and one
# step's time in float32 and bf16, default layout and channels-last (benchmarks/gpu_step.py).
#
#   bash benchmarks/gpu_check.sh              # on the GPU machine; outputs under $OUT (else a temporary folder)
#   bash benchmarks/gpu_check.sh --cpu-only   # anywhere: the same steps on the CPU with tiny budgets
#
# Budgets (seconds of training, validation not counted): GPU_CHECK_FASHION_S (60), GPU_CHECK_ONESHOT_S (90),
# GPU_CHECK_CPU_S (10, each CPU run). PYTHON picks the interpreter (default: python). Exits nonzero on failure.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
CPU_ONLY=0
[[ "${1:-}" == "--cpu-only" ]] && CPU_ONLY=1
OUT=${OUT:-$(mktemp -d /tmp/gpu-check.XXXXXX)}
mkdir -p "$OUT"
FASHION_S=${GPU_CHECK_FASHION_S:-60}
ONESHOT_S=${GPU_CHECK_ONESHOT_S:-90}
CPU_S=${GPU_CHECK_CPU_S:-10}
DEVICE=cuda
if [[ $CPU_ONLY == 1 ]]; then
  DEVICE=cpu FASHION_S=${GPU_CHECK_FASHION_S:-2} ONESHOT_S=${GPU_CHECK_ONESHOT_S:-2} CPU_S=${GPU_CHECK_CPU_S:-2}
fi
START=$SECONDS
step() { echo; echo "== $* ($((SECONDS - START)) s in)"; }

step "1. the machine"
if [[ $CPU_ONLY == 0 ]]; then
  nvidia-smi | tee "$OUT/nvidia-smi.txt"
fi
"$PYTHON" - <<'PY' | tee "$OUT/torch-info.txt"
import os, torch
print(f"torch {torch.__version__}, CUDA build {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, "
      f"{os.cpu_count()} CPUs, {torch.get_num_threads()} torch threads")
print(f"cuda available: {torch.cuda.is_available()}")
for i in range(torch.cuda.device_count()):
    p = torch.cuda.get_device_properties(i)
    print(f"  cuda:{i} {p.name}, {p.total_memory / 2**30:.0f} GiB, capability {p.major}.{p.minor}, "
          f"bf16 {torch.cuda.is_bf16_supported()}")
PY
if [[ $CPU_ONLY == 0 ]]; then
  "$PYTHON" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device for torch')"
fi

step "2. the device tests on $DEVICE"
SIAMESE_LAB_TEST_DEVICE=$DEVICE "$PYTHON" -m pytest -q -m device -p no:cacheprovider tests \
  2>&1 | tee "$OUT/device-tests.txt"

train() {  # name device seconds extra-options…
  local name=$1 device=$2 seconds=$3
  shift 3
  "$PYTHON" -m siamese_core train "$@" --seconds "$seconds" --device "$device" --out "$OUT/$name.pt" --json \
    > "$OUT/$name.train.json"
  cat "$OUT/$name.train.json"; echo
}

step "3. Fashion-MNIST, ${FASHION_S} s on $DEVICE, then evaluated"
train fashion-$DEVICE $DEVICE "$FASHION_S" --dataset fashion-mnist
"$PYTHON" -m siamese_core evaluate "$OUT/fashion-$DEVICE.pt" --task verification --json \
  | tee "$OUT/fashion-$DEVICE.eval.json"

step "4. the one-shot recipe, ${ONESHOT_S} s on $DEVICE"
train oneshot-$DEVICE $DEVICE "$ONESHOT_S" --preset oneshot-cpu

step "5. the same recipes, ${CPU_S} s each on the CPU, and GPU/CPU throughput"
train fashion-cpu-short cpu "$CPU_S" --dataset fashion-mnist
train oneshot-cpu-short cpu "$CPU_S" --preset oneshot-cpu
"$PYTHON" -m benchmarks run gpu-compare --out "$OUT/throughput.json" \
  "fashion-mnist=$OUT/fashion-$DEVICE.train.json:$OUT/fashion-cpu-short.train.json" \
  "oneshot-cpu=$OUT/oneshot-$DEVICE.train.json:$OUT/oneshot-cpu-short.train.json" | tee "$OUT/throughput.txt"

if [[ $CPU_ONLY == 0 ]]; then
  step "6. one training step on CUDA: float32 or bf16, default layout or channels-last"
  "$PYTHON" -m benchmarks run gpu-step --out "$OUT/gpu-step.json" | tee "$OUT/gpu-step.txt"
fi

rm -f "$OUT"/*.pt  # the checkpoints are only a means; the JSON and text files are the record
step "done: every step passed in $((SECONDS - START)) s; outputs in $OUT"
