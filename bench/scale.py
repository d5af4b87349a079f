#!/usr/bin/python3
"""What a run's size costs outside the networks (issue 25): N tiny clips
(0.4 s at 128x128, 30 fps; copies of one, in folders of 1,000), one keypoint
run with --workers 2, then --resume and --resume-fast over the finished set.

    bench/scale.py [--clips 1000,10000] [--workers 2] [--fps 2] [--dir build/scale]
                   [--reps 3] [--keep]

Per size it prints: the run's wall time; the supervisor's own CPU time and
peak resident memory (its /proc entry, polled every 50 ms; the last reading
before it exits, its high-water mark) per video; what the workers spend per
video outside the networks (--verbose's decode, resize, postprocess and
writing seconds); the report's and journal's sizes; then the wall time of
--resume and of --resume-fast over the finished set, --reps times each,
alternating (median and minimum). The clips are copies, not links (discovery
follows a link to a file it has already listed), made once and kept in DIR
(--keep keeps the outputs too). build/report_bench times the report's cost
per video alone (bench/CMakeLists.txt).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIGNPREP = ROOT / "build" / "signprep"
SAMPLE = ROOT / "samples" / "wave_webcam_540x720p30.mp4"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tiny_clips(root, count):
    """`count` copies of a 0.4 s 128x128 cut of the sample under root/NNN/."""
    done = root / f".made-{count}"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    clip = root.parent / "tiny.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", SAMPLE, "-t", "0.4", "-vf",
                    "crop=540:540,scale=128:128", "-r", "30", "-an", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", clip], check=True)
    for i in range(count):
        folder = root / f"{i // 1000:03d}"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(clip, folder / f"clip_{i:06d}.mp4")
    done.touch()
    return root


def supervisor_sample(pid):
    """(CPU seconds of the process itself, peak resident MiB), or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    hwm = re.search(r"VmHWM:\s+(\d+) kB", status)
    return cpu, int(hwm.group(1)) / 1024 if hwm else 0.0


def run(args, watch=False):
    """Wall seconds, stderr, and (supervisor CPU s, peak MiB) when watched."""
    start = time.monotonic()
    process = subprocess.Popen([SIGNPREP, *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    last = (0.0, 0.0)
    stderr_chunks = []
    if watch:
        # stderr is drained by a thread so the poll never blocks the run.
        import threading
        reader = threading.Thread(target=lambda: stderr_chunks.append(process.stderr.read()))
        reader.start()
        while process.poll() is None:
            # A zombie still has its CPU times but no memory lines: keep the
            # largest of each.
            sample = supervisor_sample(process.pid)
            if sample:
                last = (max(last[0], sample[0]), max(last[1], sample[1]))
            time.sleep(0.05)
        reader.join()
        stderr = "".join(stderr_chunks)
    else:
        stderr = process.communicate()[1]
    seconds = time.monotonic() - start
    if process.returncode != 0:
        sys.exit(f"signprep {' '.join(map(str, args))} failed ({process.returncode}):\n"
                 f"{stderr[-3000:]}")
    return seconds, stderr, last


STAGE = re.compile(r": (\d+) frames; seconds: (.*)$")


def outside_networks(stderr):
    """Mean seconds per clip of --verbose's non-network stages."""
    totals, clips = {}, 0
    for line in stderr.splitlines():
        match = STAGE.search(line)
        if not match:
            continue
        clips += 1
        for part in match.group(2).split(", "):
            name, value = part.rsplit(" ", 1)
            totals[name] = totals.get(name, 0.0) + float(value)
    keep = ("decode", "resize", "postprocess", "writing")
    return {name: totals.get(name, 0.0) / max(clips, 1) for name in keep}, clips


def measure(count, options):
    clips = tiny_clips(options.dir / f"clips-{count}", count)
    out = options.dir / f"out-{count}"
    shutil.rmtree(out, ignore_errors=True)
    flags = ["--write-keypoints", "--target-fps", options.fps, "--workers", options.workers,
             "--id", "1"]
    seconds, stderr, (cpu, peak) = run([clips, out, *flags, "--verbose", "--quiet"], watch=True)
    stages, verbose_clips = outside_networks(stderr)
    report = out / "run_report.json"
    with open(report) as f:
        videos = json.load(f)["videos"]
    ok = sum(v["status"] == "ok" for v in videos)
    print(f"\n== {count} clips, --workers {options.workers}, --target-fps {options.fps}")
    print(f"run: {seconds:.1f} s wall, {1000 * seconds / count:.1f} ms/video; {ok} ok")
    print(f"supervisor: {cpu:.2f} s CPU = {1000 * cpu / count:.3f} ms/video; "
          f"peak resident {peak:.1f} MiB")
    print("workers outside the networks, ms/video: " +
          ", ".join(f"{k} {1000 * v:.2f}" for k, v in stages.items()) +
          f" (total {1000 * sum(stages.values()):.2f}; {verbose_clips} clips)")
    print(f"run_report.json: {report.stat().st_size} bytes "
          f"({report.stat().st_size / count:.0f} per video)")
    times = {"--resume": [], "--resume-fast": []}
    for _ in range(options.reps):
        for flag in times:
            resumed_seconds, resumed_stderr, _ = run([clips, out, *flags, flag, "--quiet"])
            if f"resumed:           {count} " not in resumed_stderr:
                sys.exit(f"{flag} did not resume all {count}:\n{resumed_stderr[-2000:]}")
            times[flag].append(resumed_seconds)
    for flag, values in times.items():
        print(f"{flag} over {count} finished: median {statistics.median(values):.2f} s, "
              f"min {min(values):.2f} s ({', '.join(f'{v:.2f}' for v in values)})")
    if not options.keep:
        shutil.rmtree(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", default="1000,10000")
    parser.add_argument("--workers", default="2")
    parser.add_argument("--fps", default="2")
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "scale")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    if not SIGNPREP.exists():
        sys.exit(f"{SIGNPREP} is missing: build first")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"{subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()}; "
          f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    for count in (int(c) for c in options.clips.split(",")):
        measure(count, options)


if __name__ == "__main__":
    main()
