#!/usr/bin/python3
"""InceptionV3 feature extraction: signprep (build/bench/iv3_bench) against
torchvision (python3-torch 1.13) in the same run, at batch 8 and 32 on 1 and 2
threads, as frames per second and ms per frame.

usage: bench/iv3_bench.py [--seconds S] [--rounds N] [--precisions-only]
                          [--iv3-bench PATH]

Random weights are generated as the parity test does
(tests/features/iv3_reference.py: batch-norm statistics estimated, so the
activations have realistic magnitudes; speed does not depend on the values
otherwise). Torch runs torchvision's inception_v3 (eval, fc = Identity,
transform_input=True) on channels_last input under no_grad with
torch.set_num_threads(threads), network only; signprep's time includes its
resize and normalisation of a 540x720 frame. The two alternate, `rounds`
times per setting, and the medians are reported, so that load from other
processes on a shared machine hits both alike.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torchvision

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "features"))
import iv3_reference  # noqa: E402

BENCH = ROOT / "build" / "bench" / "iv3_bench"
SETTINGS = [(threads, batch) for threads in (1, 2) for batch in (8, 32)]


def torch_ms_per_frame(model, batch, threads, seconds):
    """Median wall and process CPU ms per frame."""
    torch.set_num_threads(threads)
    x = torch.randn(batch, 3, 299, 299).contiguous(memory_format=torch.channels_last)
    times, cpu_times = [], []
    with torch.no_grad():
        model(x)  # warm-up
        start = time.perf_counter()
        while len(times) < 3 or (time.perf_counter() - start < seconds and len(times) < 50):
            t, cpu = time.perf_counter(), time.process_time()
            model(x)
            cpu_times.append((time.process_time() - cpu) * 1e3 / batch)
            times.append((time.perf_counter() - t) * 1e3 / batch)
    return statistics.median(times), statistics.median(cpu_times)


def signprep_run(bench, weights, batch, threads, seconds, precision="fp32"):
    out = subprocess.run([str(bench), str(weights), str(batch), str(threads), str(seconds),
                          precision], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def torch_bf16_ms_per_frame(model, batch, threads, seconds):
    """torch.autocast("cpu", bfloat16): the anchor signprep's bf16 is held to."""
    with torch.autocast("cpu", dtype=torch.bfloat16):
        return torch_ms_per_frame(model, batch, threads, seconds)


def torch_table(bench, model, weights, rounds, seconds):
    """signprep fp32 against torchvision fp32 at each of SETTINGS."""
    print("| threads | batch | signprep ms/frame (CPU ms) | frames/s | GFLOP/s | "
          "torch ms/frame (CPU ms) | frames/s | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    for threads, batch in SETTINGS:
        ours, ours_cpu, theirs, theirs_cpu, gflops = [], [], [], [], []
        for _ in range(rounds):
            result = signprep_run(bench, weights, batch, threads, seconds)
            ours.append(result["ms_per_frame"])
            ours_cpu.append(result["cpu_ms_per_frame"])
            gflops.append(result["gflops"])
            wall, cpu = torch_ms_per_frame(model, batch, threads, seconds)
            theirs.append(wall)
            theirs_cpu.append(cpu)
        o, t = statistics.median(ours), statistics.median(theirs)
        print(f"| {threads} | {batch} | {o:.1f} ({statistics.median(ours_cpu):.1f}) | "
              f"{1e3 / o:.1f} | {statistics.median(gflops):.0f} | "
              f"{t:.1f} ({statistics.median(theirs_cpu):.1f}) | {1e3 / t:.1f} | "
              f"{t / o:.2f}x |", flush=True)


def precision_table(bench, model, weights, rounds, seconds, batch=8):
    """fp32 against bf16 and int8, signprep and torch, medians of `rounds`,
    same run. bf16 pays only where oneDNN runs it on AMX, int8 where it runs
    on VNNI or AMX; the isa columns say where."""
    print(f"\n| threads | signprep fp32 ms/frame | signprep bf16 ms/frame | bf16 speed-up | "
          f"bf16 isa | signprep int8 ms/frame | int8 speed-up | int8 isa | torch fp32 | "
          f"torch autocast bf16 | signprep bf16 vs torch bf16 | (batch {batch})")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for threads in (1, 2):
        fp32, bf16, int8, torch32, torch16, isa = [], [], [], [], [], {}
        for _ in range(rounds):
            fp32.append(signprep_run(bench, weights, batch, threads, seconds)["ms_per_frame"])
            for precision, times in (("bf16", bf16), ("int8", int8)):
                result = signprep_run(bench, weights, batch, threads, seconds, precision)
                times.append(result["ms_per_frame"])
                isa[precision] = result["isa"]
            torch32.append(torch_ms_per_frame(model, batch, threads, seconds)[0])
            torch16.append(torch_bf16_ms_per_frame(model, batch, threads, seconds)[0])
        f, b, i = statistics.median(fp32), statistics.median(bf16), statistics.median(int8)
        t32, t16 = statistics.median(torch32), statistics.median(torch16)
        print(f"| {threads} | {f:.1f} | {b:.1f} | {f / b:.2f}x | {isa['bf16']} | {i:.1f} | "
              f"{f / i:.2f}x | {isa['int8']} | {t32:.1f} | {t16:.1f} | {t16 / b:.2f}x |",
              flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--iv3-bench", type=Path, default=BENCH,
                        help="the benchmark binary (default: build/bench/iv3_bench)")
    parser.add_argument("--precisions-only", action="store_true",
                        help="only the fp32 / bf16 / int8 table (batch 8, 1 and 2 threads)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        torch.set_num_threads(2)
        weights = Path(tmp) / "weights.safetensors"
        model = iv3_reference.write_random_weights(weights)
        model.fc = torch.nn.Identity()
        model = model.to(memory_format=torch.channels_last)

        print(f"torch {torch.__version__}, torchvision {torchvision.__version__}")
        if not args.precisions_only:
            torch_table(args.iv3_bench, model, weights, args.rounds, args.seconds)
        precision_table(args.iv3_bench, model, weights, args.rounds, args.seconds)


if __name__ == "__main__":
    main()
