#!/usr/bin/env bash
# The GPU checks, for a machine with an NVIDIA GPU, in one command:
#   bench/gpu.sh [--prebuilt DIR] [--batch N] [--quick]
# Builds the CUDA backend and its check into build-gpu/ (CUDA 13 with cuDNN 9
# needed), runs the unit test that compares the backend with the CPU
# executor on a GPU (tests/nn/gpu_network_test), then bench/iv3_gpu.py: features against the CPU path in fp32, fp16
# and bf16, InceptionV3 frames/s against PyTorch on the same GPU (needs
# python3 with torch and torchvision), and the feature server's frames/s and
# GPU busy time with 8 synthetic clients. When signprep itself runs there,
# also whole runs of a clip set (copies of samples/, so that every worker
# has clips) with features on the CPU and with --device cuda, features only
# and with keypoints: wall time, features compared, GPU busy time.
#
# A GPU machine without the build dependencies takes a bundle made here:
#   bench/gpu.sh --bundle DIR      (builds, then packs signprep, the checks,
#                                   libsignprep_cuda.so, the libraries they
#                                   need beyond glibc and CUDA, FFmpeg's
#                                   from bench/minimal_ffmpeg.sh, and the
#                                   MediaPipe models a keypoints run loads)
#   bench/gpu.sh --prebuilt DIR    (on the GPU machine)
# cuDNN and the CUDA runtime are taken from PyTorch's wheels (nvidia-*) when
# the system has none.
set -euo pipefail
cd "$(dirname "$0")/.."

prebuilt="" bundle="" batch=64 seconds=5 rounds=2 copies=8
while (($#)); do
  case "$1" in
    --prebuilt) prebuilt="$2"; shift ;;
    --bundle) bundle="$2"; shift ;;
    --batch) batch="$2"; shift ;;
    --quick) seconds=2 rounds=1 copies=4 ;;
    -h | --help) sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/gpu.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The project's build type (GCC 12 warns falsely at -O3, and warnings are errors).
build() {
  local log=build-gpu.log
  if ! { cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNPREP_CUDA=ON \
           -DSIGNPREP_TESTS=ON &&
         cmake --build build-gpu --target signprep signprep_cuda iv3_gpu_check \
           feature_server_bench gpu_network_test; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "bench/gpu.sh: the build failed (whole log: $log)" >&2
    exit 1
  fi
}

source bench/bundle.sh

# The models a keypoints run loads (src/landmarks: pose, hands through the
# re-crop, face, segmentation); the bundle checks itself with them.
keypoint_models=(pose_detection pose_landmark_full hand_recrop hand_landmark_full
                 face_detection_short_range face_landmark_with_attention
                 selfie_segmentation_landscape)

if [[ -n "$bundle" ]]; then
  build
  make_bundle "$bundle" build-gpu signprep iv3_gpu_check feature_server_bench \
    libsignprep_cuda.so tests/nn/gpu_network_test -- "${keypoint_models[@]}" ||
    { echo "bench/gpu.sh: the bundle failed its check" >&2; exit 1; }
  exit 0
fi

section "GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader ||
  { echo "bench/gpu.sh: nvidia-smi found no GPU" >&2; exit 1; }
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

if [[ -n "$prebuilt" ]]; then
  unpacked=$(mktemp -d)
  trap 'rm -rf "$unpacked"' EXIT
  open_bundle "$prebuilt" "$unpacked" signprep iv3_gpu_check feature_server_bench gpu_network_test
  bin="$unpacked/bin"
  unit_test="$bin/gpu_network_test"
else
  section "build (build-gpu/)"
  build
  bin=build-gpu
  unit_test=build-gpu/tests/nn/gpu_network_test
fi

if ! ldconfig -p | grep -q 'libcudnn.so.9' || ! ldconfig -p | grep -q 'libcudart.so.13'; then
  wheels=$(python3 -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null || true)
  for lib in "$wheels"/cudnn/lib "$wheels"/cu13/lib "$wheels"/cuda_runtime/lib; do
    [[ -d "$lib" ]] && export LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"
  done
fi

export PYTHONUNBUFFERED=1
section "unit test: the CUDA backend against the CPU executor"
check 120 "$unit_test"

section "InceptionV3: parity with the CPU path, speed against PyTorch (batch $batch)"
check 360 python3 bench/iv3_gpu.py "$bin/iv3_gpu_check" --batch "$batch" --seconds "$seconds" \
  --rounds "$rounds"

if [[ -x "$bin/signprep" ]] && "$bin/signprep" --help >/dev/null 2>&1; then
  section "whole runs of $copies copies of samples/: features on the CPU, then with --device cuda"
  check 240 python3 bench/e2e_gpu.py "$bin/signprep" samples --batch "$batch" --copies "$copies"
  check 240 python3 bench/e2e_gpu.py "$bin/signprep" samples --batch "$batch" --copies "$copies" \
    --keypoints
else
  section "whole runs skipped: $bin/signprep does not run here (FFmpeg's libraries missing?)"
  failed=$((failed + 1))
fi
exit $((failed > 0))
