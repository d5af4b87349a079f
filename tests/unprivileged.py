"""signprep run as another user: root's tests drop to nobody, for whom file
permissions hold. That user may not reach the checkout (a clone in a 0700
temporary folder, as a fresh CI clone can be), so the program, and the
models when the run needs them, are copied into a folder everyone may read."""
import os
import shutil
from pathlib import Path

NOBODY = 65534
MODELS = Path(__file__).resolve().parents[1] / "models"


def reachable_signprep(signprep, directory, models=False):
    """Copies `signprep` (a program of static project libraries) and, with
    `models`, the .tflite models into `directory`, which every user may
    read; returns the copy and the environment that points it at the models."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    program = directory / "signprep"
    shutil.copy(signprep, program)
    env = dict(os.environ)
    if models:
        copied = directory / "models"
        copied.mkdir(exist_ok=True)
        copied.chmod(0o755)
        for model in MODELS.glob("*.tflite"):
            shutil.copy(model, copied / model.name)
        env["SIGNPREP_MODELS_DIR"] = str(copied)
    return program, env
