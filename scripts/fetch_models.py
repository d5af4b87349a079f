#!/usr/bin/env python3
"""Fetches MediaPipe's .tflite models from their npm packages into models/ and
checks each against models/SHA256SUMS. Idempotent: models already present with
the right checksum are kept, and npm is not called when nothing is missing.

    scripts/fetch_models.py            fetch what is missing or wrong, verify all
    scripts/fetch_models.py --check    verify only; exit 1 naming each bad file
"""
import argparse
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
CACHE = ROOT / ".cache" / "npm"

HOLISTIC = ("@mediapipe/holistic", "0.5.1675471629")
SELFIE = ("@mediapipe/selfie_segmentation", "0.1.1675465747")
PACKED_DATA = "package/holistic_solution_packed_assets.data"
PACKED_INDEX = "package/holistic_solution_packed_assets_loader.js"


def expected_sums():
    sums = {}
    for line in (MODELS / "SHA256SUMS").read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name] = digest
    return sums


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def problems(sums):
    """Names of the models that are missing or differ from SHA256SUMS, with why."""
    found = {}
    for name, digest in sums.items():
        path = MODELS / name
        if not path.is_file():
            found[name] = "missing"
        elif sha256(path.read_bytes()) != digest:
            found[name] = "sha256 differs from models/SHA256SUMS (corrupt or wrong version)"
    return found


def npm_pack(package, version):
    """The package tarball, from the cache or from the npm registry."""
    tarball = CACHE / f"{package[1:].replace('/', '-')}-{version}.tgz"
    if not tarball.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"{package}@{version}", "--pack-destination", str(CACHE),
                        "--silent"], check=True, stdout=subprocess.DEVNULL)
    return tarfile.open(tarball)


def models_in_packages():
    """Every .tflite file of the two packages, by file name: plain files and the
    byte ranges of the packed assets."""
    found = {}
    with npm_pack(*HOLISTIC) as holistic:
        index = holistic.extractfile(PACKED_INDEX).read().decode()
        data = holistic.extractfile(PACKED_DATA).read()
        ranges = re.findall(r'"filename":\s*"([^"]+)",\s*"start":\s*(\d+),\s*"end":\s*(\d+)', index)
        for filename, start, end in ranges:
            if filename.endswith(".tflite"):
                found[os.path.basename(filename)] = data[int(start):int(end)]
        found.update(plain_tflite_files(holistic))
    with npm_pack(*SELFIE) as selfie:
        found.update(plain_tflite_files(selfie))
    return found


def plain_tflite_files(archive):
    return {os.path.basename(member.name): archive.extractfile(member).read()
            for member in archive.getmembers() if member.name.endswith(".tflite")}


def write_atomically(path, data):
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as f:
        f.write(data)
    os.chmod(f.name, 0o644)
    os.replace(f.name, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only, fetch nothing")
    args = parser.parse_args()
    sums = expected_sums()
    bad = problems(sums)
    if bad and not args.check:
        available = models_in_packages()
        for name in bad:
            if name not in available:
                continue
            if sha256(available[name]) != sums[name]:
                sys.exit(f"error: models/{name}: the copy in the npm package has sha256 "
                         f"{sha256(available[name])}, models/SHA256SUMS expects {sums[name]}")
            write_atomically(MODELS / name, available[name])
        bad = problems(sums)
    for name in sums:
        print(f"{'ok ' if name not in bad else 'BAD'} models/{name}" +
              (f": {bad[name]}" if name in bad else ""))
    if bad:
        print(f"error: {len(bad)} model file(s) missing or wrong: " + ", ".join(sorted(bad)),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
