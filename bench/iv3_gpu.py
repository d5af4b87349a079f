#!/usr/bin/env python3
"""InceptionV3 on an NVIDIA GPU: signprep's CUDA backend against the CPU path
(parity) and against PyTorch on the same GPU (speed), in one run.

usage: bench/iv3_gpu.py CHECK_BINARY [--batch 64] [--seconds 5] [--rounds 2] [--device 0]

CHECK_BINARY is build/iv3_gpu_check (bench/gpu.sh builds it); the
feature_server_bench beside it, when there, adds the feature server's
figures: 8 client processes sending 4096 synthetic frames in 45-frame clips
through it, per precision: frames/s, batches and their fill, GPU busy time. Random weights
are generated as the parity test does (tests/features/iv3_reference.py). For
each precision, signprep's figures come from iv3_gpu_check: the lowest
per-frame cosine and highest relative L2 against the CPU path, and frames/s of
the network at the batch size, counting the upload of 8-bit frames, their
normalisation and the features' way back. PyTorch runs torchvision's
inception_v3 (eval, fc = Identity, transform_input=True) on a channels_last
float input already on the GPU, under inference_mode with
cudnn.benchmark = True, in the same precision: fp32 with TF32 off (as
signprep's fp32), fp16 and bf16 as model.half() / model.bfloat16(). The two
alternate `rounds` times and the medians are reported. Prints a markdown
table, then every measurement as JSON lines.
"""
import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
import torchvision

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "features"))
import iv3_reference  # noqa: E402

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def torch_ms_per_batch(model, precision, batch, seconds, device):
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    dtype = DTYPES[precision]
    net = copy.deepcopy(model).to(device=device, dtype=dtype)
    x = torch.randn(batch, 3, 299, 299, device=device, dtype=dtype)
    x = x.contiguous(memory_format=torch.channels_last)
    times = []
    with torch.inference_mode():
        for _ in range(5):
            net(x)
        torch.cuda.synchronize(device)
        while len(times) < 10 or (sum(times) < seconds * 1e3 and len(times) < 1000):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            net(x)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    return statistics.median(times)


def signprep_results(binary, weights, batch, seconds, device):
    out = subprocess.run([str(binary), str(weights), "--batch", str(batch), "--seconds",
                          str(seconds), "--device", str(device)],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"{binary} failed ({out.returncode}): {out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def against_torch(args, device, weights, model):
    """signprep's parity and speed, and torch's speed, alternating; prints the table."""
    records = []
    ours = {p: [] for p in DTYPES}
    theirs = {p: [] for p in DTYPES}
    parity, parts = {}, {}
    for _ in range(args.rounds):
        for record in signprep_results(args.binary, weights, args.batch, args.seconds,
                                       args.device):
            records.append(record)
            if record["check"] == "speed":
                ours[record["precision"]].append(record["ms_per_batch"])
            elif record["check"] == "parts":
                parts[record["precision"]] = record["parts"]
            else:  # parity, or the error that kept a precision from running
                parity[record["precision"]] = record
        for precision in DTYPES:
            ms = torch_ms_per_batch(model, precision, args.batch, args.seconds, device)
            theirs[precision].append(ms)
            records.append({"check": "torch", "precision": precision, "batch": args.batch,
                            "ms_per_batch": ms})

    print(f"\n| precision | min cosine | max rel. L2 | non-finite | signprep frames/s | "
          f"torch frames/s | ratio | (batch {args.batch})")
    print("|---|---|---|---|---|---|---|")
    for precision in DTYPES:
        p = parity.get(precision, {})
        t = statistics.median(theirs[precision])
        if ours[precision]:
            o = statistics.median(ours[precision])
            print(f"| {precision} | {p.get('min_cosine', float('nan')):.7f} | "
                  f"{p.get('max_relative_l2', float('nan')):.2e} | "
                  f"{p.get('non_finite_values', '?')} | {args.batch * 1e3 / o:.0f} | "
                  f"{args.batch * 1e3 / t:.0f} | {t / o:.2f}x |")
        else:
            print(f"| {precision} | error: {p.get('error', '?')} | | | | "
                  f"{args.batch * 1e3 / t:.0f} | |")
    print_parts(parts, args.batch)
    return records


def print_parts(parts, batch):
    """Where signprep's device time goes, per precision (the last round's)."""
    names = list(dict.fromkeys(name for p in parts.values() for name in p))
    if not names:
        return
    print(f"\n| precision | {' | '.join(names)} | sum | (ms per batch of {batch})")
    print("|---" * (len(names) + 2) + "|")
    for precision, p in parts.items():
        cells = [f"{p.get(name, 0):.2f}" for name in names]
        print(f"| {precision} | {' | '.join(cells)} | {sum(p.values()):.2f} |")


def through_feature_server(args, server_bench, weights):
    """The feature server with 8 synthetic clients, per precision; prints the table."""
    records = []
    print(f"\n| precision | feature server frames/s | batches | fill | GPU busy | "
          f"(8 clients, batch {args.batch})")
    print("|---|---|---|---|---|")
    for precision in DTYPES:
        out = subprocess.run([str(server_bench), str(weights), "--clients", "8",
                              "--frames", "4096", "--batch", str(args.batch),
                              "--device", str(args.device), "--precision", precision],
                             capture_output=True, text=True)
        if out.returncode != 0 or not out.stdout.strip():
            print(f"| {precision} | error: {(out.stderr or out.stdout).strip()} | | | |")
            continue
        result = json.loads(out.stdout)
        records.append({"check": "feature_server", "precision": precision, **result})
        server = result["server"]
        print(f"| {precision} | {result['frames_per_s']:.0f} | {server['batches']} | "
              f"{100 * server['frames'] / (server['batches'] * args.batch):.0f}% | "
              f"{100 * server['busy_seconds'] / server['serving_seconds']:.0f}% |")
    return records


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", type=Path)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--device", type=int, default=0)
    args = parser.parse_args()
    device = torch.device("cuda", args.device)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"{torch.cuda.get_device_name(device)}, cuDNN {torch.backends.cudnn.version()}",
          flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        weights = Path(tmp) / "weights.safetensors"
        model = iv3_reference.write_random_weights(weights)
        model.fc = torch.nn.Identity()
        model = model.eval().to(memory_format=torch.channels_last)
        records = against_torch(args, device, weights, model)
        server_bench = args.binary.parent / "feature_server_bench"
        if server_bench.exists():
            records += through_feature_server(args, server_bench, weights)
    print()
    for record in records:
        print(json.dumps(record))

if __name__ == "__main__":
    main()
