#!/usr/bin/env python3
"""Decode throughput of `signprep probe` (demux + decode every frame + sampling)
against `ffmpeg -i CLIP -f null -` (demux + decode, the baseline), measured in
the same run, per clip: medians of --repeats runs and their ratio.

    bench/decode.py [CLIP_OR_DIR ...] [--repeats N]

Default clips: ../shared/testdata/videos when present, else samples/."""
import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGNPREP = ROOT / "build" / "signprep"


def clips(args):
    sources = args or [p for p in [ROOT.parent / "shared" / "testdata" / "videos"] if p.is_dir()]
    found = []
    for source in sources or [ROOT / "samples"]:
        source = Path(source)
        found += sorted(p for p in source.iterdir() if p.suffix.lower() in
                        {".mp4", ".mov", ".mkv", ".avi", ".webm"}) if source.is_dir() else [source]
    return found


def median_seconds(command, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'clip':40} {'frames':>6} {'signprep s':>10} {'ffmpeg s':>9} {'ratio':>6} {'fps':>7}")
    ratios, total_frames, total_seconds = [], 0, 0.0
    for clip in clips(args.clips):
        frames = json.loads(subprocess.run([SIGNPREP, "probe", "--json", clip], check=True,
                                           capture_output=True).stdout)[0]["frames_decoded"]
        ours = median_seconds([SIGNPREP, "probe", clip], args.repeats)
        ffmpeg = median_seconds(["ffmpeg", "-v", "error", "-i", clip, "-map", "0:v:0", "-f", "null",
                                 "-"], args.repeats)
        ratios.append(ours / ffmpeg)
        total_frames += frames
        total_seconds += ours
        print(f"{clip.name:40} {frames:6d} {ours:10.3f} {ffmpeg:9.3f} {ours / ffmpeg:6.2f} "
              f"{frames / ours:7.0f}")
    print(f"median ratio signprep/ffmpeg: {statistics.median(ratios):.2f}; "
          f"{total_frames} frames in {total_seconds:.2f} s = {total_frames / total_seconds:.0f} "
          "decoded frames/s")


if __name__ == "__main__":
    main()
