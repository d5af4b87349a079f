# shellcheck shell=bash
# Sourced by bench/gpu.sh and bench/amx.sh: a build's programs, the
# libraries they need beyond glibc and libstdc++, and MediaPipe models, packed
# small enough to travel with the working tree to a device machine (the
# device tool carries 64 MiB), checked here as that machine will see them,
# and unpacked there.

# The libraries the programs named load, as ldd finds them, less what every
# Linux machine has (glibc, libstdc++, libgcc).
linked_libraries() {
  ldd "$@" | awk '$3 ~ /^\// {print $3}' | sort -u |
    grep -v -E '/(libc|libm|libpthread|libdl|librt|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so' || true
}

# A bundle's xz'd libraries and models, unpacked into DIR/lib and DIR/models
# (with python3's lzma: the device machine may have no xz).
unpack_bundle() {
  local bundle=$1 into=$2 packed
  mkdir -p "$into/lib" "$into/models"
  for packed in "$bundle"/lib/*.xz "$bundle"/models/*.xz; do
    python3 -c 'import lzma, sys; open(sys.argv[2], "wb").write(lzma.open(sys.argv[1]).read())' \
      "$packed" "$into/$(basename "$(dirname "$packed")")/$(basename "$packed" .xz)"
  done
}

# make_bundle DIR BUILD_DIR PROGRAM... -- MODEL...
# PROGRAMs are paths under BUILD_DIR, stored by their base names without
# debug sections; their libraries are resolved with FFmpeg's minimal build
# (bench/minimal_ffmpeg.sh, in BUILD_DIR/ffmpeg: Debian's pulls in 200 MB of
# codec libraries) first. The bundle is then checked alone: every library
# of signprep resolved in it, and a keypoints run of one sample. Callers test
# its status (`set -e` does not reach into a function whose status is tested).
make_bundle() {
  local bundle=$1 build_dir=$2 program model lib
  shift 2
  local programs=()
  while (($#)) && [[ "$1" != "--" ]]; do programs+=("$build_dir/$1"); shift; done
  shift
  bench/minimal_ffmpeg.sh "$build_dir/ffmpeg" || return 1
  rm -rf "$bundle" && mkdir -p "$bundle/lib" "$bundle/models" || return 1
  for program in "${programs[@]}"; do
    strip --strip-debug -o "$bundle/$(basename "$program")" "$program" || return 1
  done
  local executables=()
  for program in "${programs[@]}"; do [[ "$program" == *.so ]] || executables+=("$program"); done
  for lib in $(LD_LIBRARY_PATH="$PWD/$build_dir/ffmpeg/lib" linked_libraries "${executables[@]}"); do
    xz -T0 -6 -c "$lib" >"$bundle/lib/$(basename "$lib").xz" || return 1
  done
  for model in "$@"; do
    xz -T0 -6 -c "models/$model.tflite" >"$bundle/models/$model.tflite.xz" || return 1
  done

  local unpacked sample missing
  unpacked=$(mktemp -d)
  unpack_bundle "$bundle" "$unpacked"
  sample=$(mktemp -d -p "$unpacked")
  ln -s "$PWD/samples/numbers_20_90_144p12.mp4" "$sample/"
  if ! LD_LIBRARY_PATH="$unpacked/lib" SIGNPREP_MODELS_DIR="$unpacked/models" \
       "$bundle/signprep" "$sample" "$unpacked/out" --write-keypoints --quiet >"$unpacked/log" 2>&1; then
    cat "$unpacked/log" >&2
    rm -rf "$unpacked"
    echo "the bundle's signprep failed on a sample" >&2
    return 1
  fi
  missing=$(LD_LIBRARY_PATH="$unpacked/lib" linked_libraries "$bundle/signprep" |
            grep -v "^$unpacked/" || true)
  rm -rf "$unpacked"
  [[ -z "$missing" ]] || { echo "the bundle lacks $missing" >&2; return 1; }
  echo "bundle in $bundle ($(du -sh "$bundle" | cut -f1)), checked on a sample: $(cd "$bundle" && ls | tr '\n' ' ')"
}

# open_bundle BUNDLE UNPACKED PROGRAM...: unpacks, and writes UNPACKED/bin/PROGRAM
# wrappers that give the bundle's libraries to its programs alone (in
# python3's own LD_LIBRARY_PATH they would replace the machine's zlib and
# OpenSSL under PyTorch); SIGNPREP_MODELS_DIR points at its models.
open_bundle() {
  local bundle=$1 unpacked=$2 program
  shift 2
  unpack_bundle "$bundle" "$unpacked"
  mkdir -p "$unpacked/bin"
  for program in "$@"; do
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s" "$@"\n' \
      "$unpacked/lib" "$(realpath "$bundle/$program")" >"$unpacked/bin/$program"
    chmod +x "$unpacked/bin/$program"
  done
  export SIGNPREP_MODELS_DIR="$unpacked/models"
}

# Each check within its own time limit: one that fails or hangs leaves the
# others to run (a device machine is lent for minutes); `failed` counts them.
failed=0
check() {
  local limit=$1
  shift
  timeout "$limit" "$@" || { echo "failed (exit $?): $*" >&2; failed=$((failed + 1)); }
}

section() { printf '\n== %s\n' "$*"; }
