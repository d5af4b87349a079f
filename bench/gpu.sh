#!/usr/bin/env bash
# The GPU checks, for a machine with an NVIDIA GPU, in one command:
#   bench/gpu.sh [--prebuilt DIR] [--batch N] [--quick]
# Builds the CUDA backend and its check into build-gpu/ (CUDA 13 with cuDNN 9
# needed), then bench/iv3_gpu.py: features against the CPU path in fp32, fp16
# and bf16, InceptionV3 frames/s against PyTorch on the same GPU (needs
# python3 with torch and torchvision), and the feature server's frames/s and
# GPU busy time with 8 synthetic clients. When build-gpu/signprep runs there
# (FFmpeg's libraries installed), also a whole run of samples/ with features
# on the CPU and with --device cuda, timed, features compared.
#
# A GPU machine without the build dependencies takes a bundle made here:
#   bench/gpu.sh --bundle DIR      (builds, then copies iv3_gpu_check,
#                                   libsignprep_cuda.so and the non-CUDA
#                                   libraries they need into DIR)
#   bench/gpu.sh --prebuilt DIR    (on the GPU machine)
# cuDNN and the CUDA runtime are taken from PyTorch's wheels (nvidia-*) when
# the system has none.
set -euo pipefail
cd "$(dirname "$0")/.."

prebuilt="" bundle="" batch=64 seconds=5 rounds=2
while (($#)); do
  case "$1" in
    --prebuilt) prebuilt="$2"; shift ;;
    --bundle) bundle="$2"; shift ;;
    --batch) batch="$2"; shift ;;
    --quick) seconds=2 rounds=1 ;;
    -h | --help) sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/gpu.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The project's build type (GCC 12 warns falsely at -O3, and warnings are errors).
build() {
  local log=build-gpu.log
  if ! { cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNPREP_CUDA=ON \
           -DSIGNPREP_TESTS=OFF &&
         cmake --build build-gpu --target signprep signprep_cuda iv3_gpu_check \
           feature_server_bench; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "bench/gpu.sh: the build failed (whole log: $log)" >&2
    exit 1
  fi
}

# Small enough to travel with the working tree to a GPU machine (the device
# tool carries 64 MiB): binaries without debug sections, libraries xz'd.
if [[ -n "$bundle" ]]; then
  build
  mkdir -p "$bundle/lib"
  strip --strip-debug -o "$bundle/iv3_gpu_check" build-gpu/iv3_gpu_check
  strip --strip-debug -o "$bundle/libsignprep_cuda.so" build-gpu/libsignprep_cuda.so
  strip --strip-debug -o "$bundle/feature_server_bench" build-gpu/feature_server_bench
  # What the check links beyond glibc, libstdc++ and CUDA: oneDNN, OpenMP, the OpenCL loader.
  for lib in $(ldd build-gpu/iv3_gpu_check | awk '/libdnnl|libgomp|libOpenCL/ {print $3}'); do
    xz -T0 -6 -c "$lib" >"$bundle/lib/$(basename "$lib").xz"
  done
  echo "bundle in $bundle ($(du -sh "$bundle" | cut -f1)): $(cd "$bundle" && ls -- iv3_gpu_check feature_server_bench libsignprep_cuda.so lib/* | tr '\n' ' ')"
  exit 0
fi

section() { printf '\n== %s\n' "$*"; }

section "GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader ||
  { echo "bench/gpu.sh: nvidia-smi found no GPU" >&2; exit 1; }
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

if [[ -n "$prebuilt" ]]; then
  bin="$prebuilt"
  libs=$(mktemp -d)
  for packed in "$prebuilt"/lib/*.xz; do
    python3 -c 'import lzma, sys; open(sys.argv[2], "wb").write(lzma.open(sys.argv[1]).read())' \
      "$packed" "$libs/$(basename "$packed" .xz)"
  done
  export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  section "build (build-gpu/)"
  build
  bin=build-gpu
fi

if ! ldconfig -p | grep -q 'libcudnn.so.9' || ! ldconfig -p | grep -q 'libcudart.so.13'; then
  wheels=$(python3 -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null || true)
  for lib in "$wheels"/cudnn/lib "$wheels"/cu13/lib "$wheels"/cuda_runtime/lib; do
    [[ -d "$lib" ]] && export LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"
  done
fi

section "InceptionV3: parity with the CPU path, speed against PyTorch (batch $batch)"
python3 bench/iv3_gpu.py "$bin/iv3_gpu_check" --batch "$batch" --seconds "$seconds" \
  --rounds "$rounds"

if [[ -x "$bin/signprep" ]] && "$bin/signprep" --help >/dev/null 2>&1; then
  section "whole run of samples/: features on the CPU, then with --device cuda"
  python3 bench/e2e_gpu.py "$bin/signprep" samples --batch "$batch"
else
  section "whole run skipped: $bin/signprep does not run here (FFmpeg's libraries missing?)"
fi
