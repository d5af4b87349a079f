#!/usr/bin/env bash
# Issue 20's measurements on a CPU with AMX, in one command that fits a
# device machine's loan (6 minutes on this pool's 2-core machines):
#   bench/amx.sh [--prebuilt DIR] [VIDEOS]
# the CPU's flags and oneDNN's bf16 choice; the Holistic model set and each
# keypoint model in fp32 and bf16 (nn_bench, 1 and 2 threads) and the time
# per operator type in both, and oneDNN's own split of the bf16 set's time
# (conversions between bf16 and float32 apart); InceptionV3 fp32 / bf16 / int8 against
# torchvision fp32 and autocast bf16 (iv3_bench.py, random weights; needs
# python3 with torch and torchvision); bf16 and int8 features against fp32
# on VIDEOS (feature_agreement.py); what `auto` picks and what a fp32 run's
# summary says; end-to-end runs of VIDEOS (e2e.py: keypoints and features,
# fp32, bf16, int8, 2 workers on 2 cores). VIDEOS: a folder of clips
# (default samples/). Each step has its own time limit; the exit status
# says whether any failed.
#
# A device machine without the build dependencies takes a bundle made here:
#   bench/amx.sh --bundle build/amx-bundle     (signprep, nn_bench, iv3_bench,
#                                               their libraries, FFmpeg's from
#                                               bench/minimal_ffmpeg.sh, the
#                                               keypoint models: 29 MB; needs nasm)
# then, through the device tool (carry: build/amx-bundle; with the working
# tree, 60 MB of the 64 MiB that travel):
#   bench/amx.sh --prebuilt build/amx-bundle > $OUT/amx.txt 2>&1
set -euo pipefail
cd "$(dirname "$0")/.."

prebuilt="" bundle="" videos=samples
while (($#)); do
  case "$1" in
    --prebuilt) prebuilt="$2"; shift ;;
    --bundle) bundle="$2"; shift ;;
    -h | --help) sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/amx.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) videos="$1" ;;
  esac
  shift
done
[[ -d "$videos" ]] || { echo "bench/amx.sh: $videos is not a folder of clips" >&2; exit 2; }

source bench/bundle.sh

keypoint_models=(pose_detection pose_landmark_full hand_recrop hand_landmark_full
                 face_detection_short_range face_landmark_with_attention
                 selfie_segmentation_landscape)

build() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build --target signprep nn_bench iv3_bench >/dev/null
}

if [[ -n "$bundle" ]]; then
  build
  make_bundle "$bundle" build signprep bench/nn_bench bench/iv3_bench -- "${keypoint_models[@]}" ||
    { echo "bench/amx.sh: the bundle failed its check" >&2; exit 1; }
  exit 0
fi

if [[ -n "$prebuilt" ]]; then
  unpacked=$(mktemp -d)
  trap 'rm -rf "$unpacked"' EXIT
  open_bundle "$prebuilt" "$unpacked" signprep nn_bench iv3_bench
  signprep="$unpacked/bin/signprep" nn_bench="$unpacked/bin/nn_bench"
  iv3_bench="$unpacked/bin/iv3_bench"
else
  build
  signprep=build/signprep nn_bench=build/bench/nn_bench iv3_bench=build/bench/iv3_bench
fi
work=$(mktemp -d)
trap 'rm -rf "$work" ${unpacked:+"$unpacked"}' EXIT
export PYTHONUNBUFFERED=1

section "machine"
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread|L2|L3)' || true
echo "flags: $(grep -o -w -E 'amx_bf16|amx_int8|amx_tile|avx512_bf16|avx512_vnni|avx_vnni' \
  /proc/cpuinfo | sort -u | tr '\n' ' ')"

models_filter=$(IFS='|'; echo "${keypoint_models[*]}")
section "Holistic model set and each keypoint model: /threads/precision (0 fp32, 1 bf16), medians of 3"
check 150 "$nn_bench" --benchmark_filter="^(holistic_frame|(${models_filter})(_holistic)?)/" \
  --benchmark_min_time=0.3 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  >"$work/nn_bench.txt" 2>/dev/null
grep -E 'median|^bf16' "$work/nn_bench.txt" || true

section "time per operator type, 1 thread: fp32, then bf16"
check 60 "$nn_bench" --profile 1 fp32 "${keypoint_models[@]}"
check 60 "$nn_bench" --profile 1 bf16 "${keypoint_models[@]}"

# Conversions between bf16 and float32 tensors (reorders of activations,
# whose dims start at batch 1; weights, reordered at load, are left out) are
# counted inside the operators' times above: oneDNN's own log splits them out.
section "bf16 Holistic set, 1 thread: oneDNN's time by primitive (ONEDNN_VERBOSE, 2 s of runs)"
ONEDNN_VERBOSE=1 check 60 "$nn_bench" --benchmark_filter='^holistic_frame/1/1' \
  --benchmark_min_time=2 >"$work/verbose.txt" 2>/dev/null
awk -F, '$1 ~ /_verbose$/ && $2 == "exec" && ($4 != "reorder" || $(NF-1) ~ /^1x/) {
           kind = $4 == "reorder" ? "reorder (a conversion)" : $4
           ms[kind] += $NF; n[kind]++; total += $NF }
         END { for (k in ms) printf "%5.1f%%  %-24s %d calls\n", 100 * ms[k] / total, k, n[k] }' \
  "$work/verbose.txt" | sort -rn || true

weights="$work/iv3.safetensors"
if python3 -c 'import torch, torchvision' 2>/dev/null &&
   python3 -c 'import sys; sys.path.insert(0, "tests/features"); import iv3_reference, pathlib;
iv3_reference.write_random_weights(pathlib.Path(sys.argv[1]))' "$weights"; then
  section "InceptionV3: fp32, bf16, int8 and torchvision (batch 8, medians of 2)"
  check 300 python3 bench/iv3_bench.py --precisions-only --rounds 2 --seconds 3 \
    --iv3-bench "$iv3_bench"
else
  section "InceptionV3 with torchvision skipped: python3 has no torch/torchvision"
  failed=$((failed + 1))
fi

if [[ -f "$weights" ]]; then
  section "features in bf16 and int8 against fp32 on $videos"
  check 120 python3 bench/feature_agreement.py "$videos" --iv3-weights "$weights" \
    --signprep "$signprep"
fi

section "what auto picks, and a fp32 run's summary"
one_clip="$work/one"
mkdir -p "$one_clip" && ln -s "$PWD/samples/wave_webcam_540x720p30.mp4" "$one_clip/"
for precision in auto fp32; do
  iv3=()
  [[ -f "$weights" ]] && iv3=(--write-iv3-features --iv3-weights "$weights" --iv3-precision "$precision")
  check 60 "$signprep" "$one_clip" "$work/$precision" --write-keypoints \
    --keypoint-precision "$precision" "${iv3[@]}" --workers 1 >"$work/run.txt" 2>&1
  grep -v -E '^signprep: progress' "$work/run.txt" || true
  grep -o -E '"(iv3|keypoint)_precision": "[a-z0-9]+"' "$work/$precision/run_report.json" || true
done

# On two cores, as issue 20's targets were set on this pool's 2-core machines.
section "end to end on $videos (2 workers on 2 cores, 15 fps, one run each)"
e2e=(python3 bench/e2e.py "$videos" --signprep "$signprep" --reps 1 --bf16 --int8)
if command -v taskset >/dev/null; then e2e=(taskset -c '0,1' "${e2e[@]}"); fi
[[ -f "$weights" ]] && e2e+=(--iv3-weights "$weights")
check 420 "${e2e[@]}"
exit $((failed > 0))
