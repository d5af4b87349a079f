#!/usr/bin/python3
"""InceptionV3 features in bf16 and int8 against fp32 on the same frames of
real clips: per clip, the cosine of each frame's 2048-d feature with fp32's,
median and minimum (issue 20's bounds: bf16 median >= 0.9999 and minimum
>= 0.999, int8 median >= 0.999). A precision this CPU cannot run (signprep
refuses it, exit 4) is reported and skipped.

usage: bench/feature_agreement.py VIDEOS --iv3-weights W [--signprep PATH]
                                  [--target-fps 5]
int8 is calibrated first on the bundled samples (signprep calibrate-iv3).
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BOUNDS = {"bf16": (0.9999, 0.999), "int8": (0.999, None)}  # median, minimum


def features(signprep, videos, out, weights, fps, extra):
    """The run's features per clip, or the refusal's message."""
    result = subprocess.run([str(signprep), str(videos), str(out), "--write-iv3-features",
                             "--iv3-weights", str(weights), "--target-fps", fps, "--quiet",
                             *extra], capture_output=True, text=True)
    if result.returncode == 4:
        return result.stderr.strip().splitlines()[-1]
    if result.returncode != 0:
        sys.exit(f"signprep failed ({result.returncode}):\n{result.stderr}")
    clips = {}
    for path in sorted(Path(out).glob("*.npz")):
        with np.load(path) as z:
            clips[path.stem] = z["X2048"].astype(np.float64)
    return clips


def cosines(a, b):
    dot = (a * b).sum(axis=1)
    return dot / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def verdict(precision, median, minimum):
    want_median, want_min = BOUNDS[precision]
    ok = median >= want_median and (want_min is None or minimum >= want_min)
    return "pass" if ok else "fail"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", type=Path)
    parser.add_argument("--iv3-weights", type=Path, required=True)
    parser.add_argument("--signprep", type=Path, default=ROOT / "build" / "signprep")
    parser.add_argument("--target-fps", default="5")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        calibration = tmp / "iv3.int8.json"
        subprocess.run([str(args.signprep), "calibrate-iv3", "--iv3-weights", str(args.iv3_weights),
                        "--out", str(calibration), *map(str, sorted((ROOT / "samples").glob("*.mp4")))],
                       check=True, capture_output=True)
        run = {
            "fp32": [],
            "bf16": ["--iv3-precision", "bf16"],
            "int8": ["--iv3-precision", "int8", "--iv3-calibration", str(calibration)],
        }
        results = {p: features(args.signprep, args.videos, tmp / p, args.iv3_weights,
                               args.target_fps, extra) for p, extra in run.items()}
    reference = results.pop("fp32")
    print("| precision | clip | frames | cosine median | cosine min | verdict |")
    print("|---|---|---|---|---|---|")
    failed = False
    for precision, clips in results.items():
        if isinstance(clips, str):
            print(f"| {precision} | (refused here: {clips}) | | | | |")
            continue
        for clip, fp32 in reference.items():
            c = cosines(clips[clip], fp32)
            median, minimum = float(np.median(c)), float(c.min())
            ok = verdict(precision, median, minimum)
            failed |= ok == "fail"
            print(f"| {precision} | {clip} | {len(c)} | {median:.6f} | {minimum:.6f} | {ok} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
