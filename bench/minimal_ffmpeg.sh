#!/usr/bin/env bash
# Builds FFmpeg's four libraries that signprep links (avformat, avcodec,
# avutil, swscale) at the version Debian installed here, with only what
# decoding the usual clips needs: H.264, HEVC, VP8/VP9, MPEG-4 and MJPEG in
# MP4/MOV, Matroska/WebM and AVI files. For a GPU machine without FFmpeg
# (bench/gpu.sh --bundle carries them there): about 10 MB, where Debian's
# libraries pull in 200 MB of codec libraries. Same version, same sonames and
# symbol versions, so the signprep built here against Debian's headers runs
# on them.
#   bench/minimal_ffmpeg.sh DIR     (libraries in DIR/lib; needs nasm, and
#                                    deb.debian.org for the source package)
set -euo pipefail

out=$(realpath -m "${1:?usage: bench/minimal_ffmpeg.sh DIR}")
[[ -e "$out/lib/libavcodec.so.59" ]] && { echo "minimal FFmpeg already in $out"; exit 0; }
command -v nasm >/dev/null || { echo "bench/minimal_ffmpeg.sh: needs nasm (apt-get install nasm)" >&2; exit 1; }
version=$(dpkg-query -W -f='${Version}' libavcodec-dev)

# The source package through a private apt state: the machine's own sources
# list carries no deb-src lines, and is left as it is.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/lists/partial" "$work/src"
for suite in "debian bookworm bookworm-updates" "debian-security bookworm-security"; do
  read -r archive suites <<<"$suite"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/%s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' \
    "$archive" "$suites"
done >"$work/apt/source.sources"
apt_private=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/apt"
             -o "Dir::State::Lists=$work/apt/lists")
# (apt's warning that root downloads unsandboxed, into a private folder, is noise.)
apt-get "${apt_private[@]}" update -qq 2> >(grep -v unsandboxed >&2)
(cd "$work/src" && apt-get "${apt_private[@]}" source -qq "ffmpeg=$version" >/dev/null 2>&1)
cd "$work/src"/ffmpeg-*/

# --disable-autodetect: nothing from this machine (VA-API, X11, zlib...) gets
# linked in, so the libraries need glibc alone.
./configure --prefix="$out" --enable-shared --disable-static --disable-programs --disable-doc \
  --disable-autodetect --disable-everything --disable-avdevice --disable-avfilter \
  --disable-postproc --disable-swresample --disable-network \
  --enable-protocol=file --enable-demuxer=mov,matroska,avi \
  --enable-decoder=h264,hevc,vp8,vp9,mpeg4,mjpeg \
  --enable-parser=h264,hevc,vp8,vp9,mpeg4video,mjpeg >"$work/configure.log" ||
  { tail -n 20 "$work/configure.log" >&2; exit 1; }
make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; exit 1; }
make install >/dev/null
echo "minimal FFmpeg $version in $out/lib"
