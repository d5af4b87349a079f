#!/usr/bin/python3
"""End-to-end throughput of a whole run, and where its time goes.

Runs `signprep VIDEOS OUT --write-keypoints [--write-iv3-features] --verbose`
(wall clock from start to summary, model loading included) and prints, per
stage (decode with colour conversion, resize, segmentation, pose, hands,
face, InceptionV3, post-processing, writing), the milliseconds per sampled
frame summed over the workers and the stage's share, then frames/s and
videos/hour for the run, the share of time outside the neural networks'
stages and outside the networks' own runs (`--verbose`'s "inference": the
crops, resizes and post-processing within the stages count as outside), and
the largest worker's peak memory.

    bench/e2e.py VIDEOS [--workers 2] [--target-fps 15] [--iv3-weights W]
                 [--reps 3] [--baseline OTHER_SIGNPREP] [--bf16] [--int8]
                 [--signprep PATH]

With --iv3-weights, each repetition runs keypoints only and keypoints with
InceptionV3, interleaved; medians over repetitions. --baseline runs another
build (an earlier commit's, say) interleaved with this one, for a
before/after ratio measured in the same session. --bf16 adds the same modes
with the networks in bf16 (--keypoint-precision bf16, and --iv3-precision
bf16 with features; and with features, the features alone in bf16) and
their speed-up over fp32, where signprep runs an explicit bf16 (AMX, or
bf16 instructions that measured faster than fp32, as on AMD Zen 4);
elsewhere it refuses, and the rows are skipped.
--int8 (with --iv3-weights) adds keypoints with InceptionV3 in int8,
calibrated first on the bundled samples (signprep calibrate-iv3), on a CPU
with VNNI or AMX.
"""
import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIGNPREP = ROOT / "build" / "signprep"
# "; inference" (the networks' own run time, within the stages) since 2026-12-07.
STAGE_LINE = re.compile(r"^signprep: (.+): (\d+) frames; seconds: (.+?)(?:; inference ([\d.]+))?$")
STAGES = ["decode", "resize", "segmentation", "pose", "hands", "face", "inceptionv3",
          "postprocess", "writing"]
NETWORKS = {"segmentation", "pose", "hands", "face", "inceptionv3"}


def bf16_accepted(signprep):
    """Whether signprep runs an explicit bf16 here (AMX, or bf16 measured
    faster than fp32): a short run on a bundled sample, exit 4 if refused."""
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run([str(signprep), str(ROOT / "samples" / "numbers_20_90_144p12.mp4"),
                                 out + "/run", "--write-keypoints", "--keypoint-precision", "bf16",
                                 "--target-fps", "1", "--quiet"], capture_output=True, text=True)
    if result.returncode not in (0, 4):
        sys.exit(f"signprep failed ({result.returncode}):\n{result.stderr}")
    return result.returncode == 0


def run_once(signprep, videos, extra):
    with tempfile.TemporaryDirectory() as out:
        start = time.monotonic()
        result = subprocess.run([str(signprep), str(videos), out, "--verbose", "--quiet", *extra],
                                capture_output=True, text=True)
        wall = time.monotonic() - start
        if result.returncode != 0:
            sys.exit(f"signprep failed ({result.returncode}):\n{result.stderr}")
        with open(Path(out) / "run_report.json") as f:
            report = json.load(f)
    stages = dict.fromkeys(STAGES, 0.0)
    inference = 0.0
    for line in result.stderr.splitlines():
        match = STAGE_LINE.match(line)
        if not match:
            continue
        for part in match.group(3).split(", "):
            name, seconds = part.rsplit(" ", 1)
            stages[name] += float(seconds)
        inference += float(match.group(4) or "nan")
    return {"wall": wall, "stages": stages, "inference": inference, "videos": len(report["videos"]),
            "frames": sum(v["frames"] for v in report["videos"]),
            "peak_mib": report.get("peak_worker_memory_mib") or 0}


def summarize(label, runs):
    frames = runs[0]["frames"]
    videos = runs[0]["videos"]
    wall = statistics.median(r["wall"] for r in runs)
    stages = {s: statistics.median(r["stages"][s] for r in runs) for s in STAGES}
    total = sum(stages.values())
    print(f"\n### {label}: {videos} videos, {frames} sampled frames, "
          f"median of {len(runs)} runs\n")
    print("| stage | ms per sampled frame | share |")
    print("|---|---|---|")
    for stage in STAGES:
        if stages[stage] > 0:
            print(f"| {stage} | {stages[stage] * 1000 / frames:.1f} | "
                  f"{100 * stages[stage] / total:.1f}% |")
    outside = sum(v for s, v in stages.items() if s not in NETWORKS)
    inference = statistics.median(r["inference"] for r in runs)
    print(f"| **all stages (summed over workers)** | {total * 1000 / frames:.1f} | 100% |\n")
    print(f"- wall {wall:.1f} s: **{frames / wall:.1f} sampled frames/s**, "
          f"{videos * 3600 / wall:.0f} videos/hour")
    print(f"- outside the neural networks: {100 * outside / total:.1f}% of the stages' time; "
          f"outside the networks' own runs (with the crops and post-processing within their "
          f"stages): {100 * (1 - inference / total):.1f}%")
    print(f"- peak worker memory: {max(r['peak_mib'] for r in runs)} MiB")
    return wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--target-fps", default="15")
    parser.add_argument("--iv3-weights", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another signprep binary to compare with")
    parser.add_argument("--bf16", action="store_true", help="also the networks in bf16 (AMX, Zen 4)")
    parser.add_argument("--int8", action="store_true", help="also InceptionV3 in int8 (VNNI, AMX)")
    parser.add_argument("--signprep", type=Path, default=SIGNPREP,
                        help="the binary to measure (default: build/signprep)")
    args = parser.parse_args()
    builds = {"this build": args.signprep}
    if args.baseline:
        builds["baseline"] = args.baseline
    common = ["--workers", str(args.workers), "--target-fps", args.target_fps]
    modes = {"keypoints": ["--write-keypoints", *common]}
    if args.iv3_weights:
        modes["keypoints + InceptionV3"] = ["--write-keypoints", "--write-iv3-features",
                                            "--iv3-weights", str(args.iv3_weights), *common]
    if args.bf16 and not bf16_accepted(args.signprep):
        print("bf16 rows skipped: signprep refuses an explicit bf16 on this CPU (no AMX, and "
              "bf16 measured no faster than fp32)")
    elif args.bf16:
        for mode, extra in list(modes.items()):
            bf16 = ["--keypoint-precision", "bf16"]
            if "--write-iv3-features" in extra:
                # issue 20's target: the features in bf16, the keypoints as they were
                modes[f"{mode}, bf16 features"] = [*extra, "--iv3-precision", "bf16"]
                bf16 += ["--iv3-precision", "bf16"]
            modes[f"{mode}, bf16"] = [*extra, *bf16]
    calibration = tempfile.TemporaryDirectory()
    if args.int8 and args.iv3_weights:
        cpu = Path("/proc/cpuinfo").read_text().split()
        if not any(flag in cpu for flag in ("avx512_vnni", "avx_vnni", "amx_int8")):
            print("int8 rows skipped: this CPU has neither VNNI nor AMX")
        else:
            path = Path(calibration.name) / "iv3.int8.json"
            samples = sorted((ROOT / "samples").glob("*.mp4"))
            subprocess.run([str(args.signprep), "calibrate-iv3", "--iv3-weights", str(args.iv3_weights),
                            "--out", str(path), *map(str, samples)], check=True)
            modes["keypoints + InceptionV3, int8"] = [
                *modes["keypoints + InceptionV3"], "--iv3-precision", "int8",
                "--iv3-calibration", str(path)]
    runs = {(build, mode): [] for build in builds for mode in modes}
    for rep in range(args.reps):
        for mode, extra in modes.items():
            for build, binary in builds.items():
                runs[build, mode].append(run_once(binary, args.videos, extra))
                print(f"rep {rep + 1}: {build}: {mode}: {runs[build, mode][-1]['wall']:.1f} s",
                      flush=True)
    print(f"\n{args.videos}, --workers {args.workers}, --target-fps {args.target_fps}")
    walls = {}
    for mode in modes:
        for build in builds:
            walls[build, mode] = summarize(f"{mode} ({build})", runs[build, mode])
        if args.baseline:
            print(f"\n**{mode}: this build is "
                  f"{walls['baseline', mode] / walls['this build', mode]:.2f}x "
                  f"the baseline's speed** (median wall clock)")
    for mode in modes:
        for suffix, what in ((", int8", "int8 features run"), (", bf16", "bf16 runs"),
                             (", bf16 features", "bf16 features run")):
            if mode.endswith(suffix):
                fp32 = mode.removesuffix(suffix)
                print(f"\n**{fp32}: {what} at "
                      f"{walls['this build', fp32] / walls['this build', mode]:.2f}x fp32's speed** "
                      f"(median wall clock)")


if __name__ == "__main__":
    main()
