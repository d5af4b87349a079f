"""Fixtures of the Python module's tests: the command line's own output for the
bundled clips, to compare the module with, made once per session.

Run by ctest (python.pytest) with the built package on PYTHONPATH and the CLI
in $SIGNPREP; by hand: PYTHONPATH=build/python SIGNPREP=build/signprep
python3 -m pytest tests/python."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "features"))  # iv3_reference: random InceptionV3 weights

SAMPLES = ROOT / "samples"
CLIPS = sorted(SAMPLES.glob("*.mp4"))
SIGNPREP = os.environ.get("SIGNPREP", str(ROOT / "build" / "signprep"))


def run_cli(*args):
    result = subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="session")
def iv3_weights(tmp_path_factory):
    import iv3_reference
    import torch
    torch.set_num_threads(2)
    path = tmp_path_factory.mktemp("weights") / "inception_v3.safetensors"
    iv3_reference.write_random_weights(path, frames=2)
    return path


@pytest.fixture(scope="session")
def cli_keypoints(tmp_path_factory):
    """The CLI's .npz files for the samples: keypoints at the default settings."""
    out = tmp_path_factory.mktemp("cli_keypoints")
    run_cli(SAMPLES, out, "--write-keypoints", "--quiet")
    return out


@pytest.fixture(scope="session")
def cli_python_rule(tmp_path_factory):
    """Keypoints as the Python tool samples frames, and without gap filling: the
    frames a MediaPipe-style script sees, and its raw 78 points; with Holistic's
    whole output beside them (--keypoints full)."""
    out = tmp_path_factory.mktemp("cli_python_rule")
    run_cli(SAMPLES, out, "--write-keypoints", "--quiet", "--sampling", "python",
            "--max-gap", "0", "--keypoints", "full")
    return out
