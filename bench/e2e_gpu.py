#!/usr/bin/env python3
"""A whole run with InceptionV3 on the CPU and on the GPU, same clips, same
weights: wall time of each and the features' largest per-frame relative L2
between them.

usage: bench/e2e_gpu.py SIGNPREP VIDEOS [--batch 64] [--workers N] [--copies N] [--keypoints]

Random weights as in the parity test (tests/features/iv3_reference.py). With
--copies N, the clip set is N copies of each video under VIDEOS, so
that every worker has clips. With --keypoints, every run also writes
keypoints (the GPU then has to keep up with the CPU workers' Holistic);
without, features only. Prints one markdown row per setting, with the
feature server's figures from run_report.json (GPU busy seconds, batches and
their fill), and JSON lines.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "features"))
import iv3_reference  # noqa: E402


def run(signprep, videos, out, args):
    """Wall seconds of one run and its report's feature_server section (None
    when InceptionV3 ran in the workers)."""
    start = time.monotonic()
    result = subprocess.run([str(signprep), str(videos), str(out), "--quiet", *args],
                            capture_output=True, text=True)
    wall = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(f"signprep {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return wall, json.loads((out / "run_report.json").read_text()).get("feature_server")


def clip_set(videos, copies, root):
    """VIDEOS itself, or a folder of `copies` copies of it (copies, not
    links: signprep takes one name per file)."""
    if copies == 1:
        return videos
    for i in range(copies):
        shutil.copytree(videos, root / f"copy{i}")
    return root


def server_columns(server):
    if server is None:
        return "-", "-"
    fill = server["frames"] / max(1, server["batches"] * server["batch_size"])
    return f"{server['busy_seconds']:.2f}", f"{server['batches']} ({fill:.0%} full)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("signprep", type=Path)
    parser.add_argument("videos", type=Path)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--keypoints", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        weights = tmp / "weights.safetensors"
        iv3_reference.write_random_weights(weights)
        common = ["--write-iv3-features", "--iv3-weights", str(weights), "--workers",
                  str(args.workers), "--batch-size", str(args.batch)]
        if args.keypoints:
            common.append("--write-keypoints")
        settings = {"cpu": [], "cuda fp32": ["--device", "cuda"],
                    "cuda fp16": ["--device", "cuda", "--iv3-precision", "fp16"]}
        videos = clip_set(args.videos, args.copies, tmp / "clips")
        runs = {name: run(args.signprep, videos, tmp / name.replace(" ", "_"), common + extra)
                for name, extra in settings.items()}
        walls = {name: wall for name, (wall, _) in runs.items()}
        clips = len(list((tmp / "cpu").rglob("*.npz")))
        print(f"| setting | wall s | vs cpu | max rel. L2 vs cpu | GPU busy s | batches | "
              f"({clips} clips, {args.workers} workers, batch {args.batch}"
              f"{', keypoints' if args.keypoints else ', features only'})")
        print("|---|---|---|---|---|---|")
        records = []
        for name in settings:
            worst = 0.0
            for npz in sorted((tmp / "cpu").rglob("*.npz")):
                other = tmp / name.replace(" ", "_") / npz.relative_to(tmp / "cpu")
                with np.load(npz) as a, np.load(other) as b:
                    x, y = b["X2048"], a["X2048"]
                    error = np.linalg.norm(x - y, axis=1) / np.linalg.norm(y, axis=1)
                    worst = max(worst, float(error.max()))
            busy, batches = server_columns(runs[name][1])
            print(f"| {name} | {walls[name]:.1f} | {walls['cpu'] / walls[name]:.2f}x | "
                  f"{worst:.2e} | {busy} | {batches} |")
            records.append({"setting": name, "clips": clips, "keypoints": args.keypoints,
                            "wall_s": walls[name], "max_relative_l2": worst,
                            "feature_server": runs[name][1]})
        for record in records:
            print(json.dumps(record))


if __name__ == "__main__":
    main()
