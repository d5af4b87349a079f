"""torchvision's InceptionV3 features for the frames in WORKDIR/frames.npy.

usage: iv3_reference.py WORKDIR

The reference side of inception_v3_test.cpp, with Debian's python3-torch 1.13
and python3-torchvision 0.14. Reads WORKDIR/frames.npy (float32 [N, H, W, 3],
RGB levels 0..255, decoded by signprep). Writes into WORKDIR:

  weights.safetensors         random InceptionV3 weights (fixed seed) with
                              torchvision's names, float32, plus the fc.* and
                              num_batches_tracked (int64) tensors signprep ignores
  weights_mixed.safetensors   the same weights with every other convolution
                              stored as float16 or bfloat16
  weights_widened.safetensors those rounded values stored back as float32
  resized.npy                 cv2.resize of each frame to 299x299 (bilinear)
  features.npy                float32 [N, 2048]: torchvision's model (eval,
                              transform_input=True, fc = Identity) on them
  features_bf16.npy           the same model under torch.autocast("cpu",
                              bfloat16): torch's own bf16 error, the scale
                              signprep's bf16 path is held to

The weights are torchvision's own initialisation plus random batch-norm affine
terms, with running statistics estimated in train mode on the frames: so the
batch-norm folding is exercised and activations stay in a normal range through
the ~90 layers instead of exploding or vanishing.
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torchvision

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from pth_to_safetensors import save_safetensors  # noqa: E402

SEED = 20240611
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def random_model(inputs):
    torch.manual_seed(SEED)
    model = torchvision.models.inception_v3(weights=None, aux_logits=False, transform_input=True,
                                            init_weights=True)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            torch.nn.init.uniform_(module.weight, 0.5, 1.5)
            torch.nn.init.normal_(module.bias, 0.0, 0.2)
            module.momentum = None  # running stats = the average over the batches seen
    model.train()
    with torch.no_grad():
        model(inputs)
    return model.eval()


def write_random_weights(path, frames=4):
    """random_model with batch-norm statistics from `frames` frames of seeded
    noise, saved to `path` as safetensors; returns the model."""
    noise = torch.from_numpy(np.random.default_rng(1).normal(0, 1, (frames, 3, 299, 299))).float()
    model = random_model(noise)
    save_safetensors(model.state_dict(), path)
    return model


def preprocess(frames):
    """As the Python tool: cv2.resize (bilinear) to 299x299, to [0, 1], ImageNet normalisation."""
    import cv2  # here, so that the weight writer runs where OpenCV is not installed (bench/amx.sh)
    resized = np.stack([cv2.resize(frame, (299, 299)) for frame in frames])
    x = torch.from_numpy(resized).permute(0, 3, 1, 2).float().div(255)
    return resized, torchvision.transforms.functional.normalize(x, MEAN, STD)


def rounded_copies(state):
    """Every third convolution weight as float16, every third as bfloat16."""
    mixed = dict(state)
    conv_weights = [name for name in sorted(state) if name.endswith(".conv.weight")]
    for i, name in enumerate(conv_weights):
        if i % 3 == 1:
            mixed[name] = state[name].half()
        elif i % 3 == 2:
            mixed[name] = state[name].bfloat16()
    widened = {name: t.float() if t.is_floating_point() else t for name, t in mixed.items()}
    return mixed, widened


def main(workdir):
    workdir = Path(workdir)
    torch.set_num_threads(2)
    frames = np.load(workdir / "frames.npy").astype(np.uint8)
    resized, inputs = preprocess(frames)
    model = random_model(inputs)
    state = model.state_dict()
    save_safetensors(state, workdir / "weights.safetensors")
    mixed, widened = rounded_copies(state)
    save_safetensors(mixed, workdir / "weights_mixed.safetensors")
    save_safetensors(widened, workdir / "weights_widened.safetensors")

    model.fc = torch.nn.Identity()
    with torch.no_grad():
        features = model(inputs.contiguous(memory_format=torch.channels_last))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            features_bf16 = model(inputs.contiguous(memory_format=torch.channels_last)).float()
    np.save(workdir / "resized.npy", resized.astype(np.float32))
    np.save(workdir / "features.npy", features.numpy().astype(np.float32))
    np.save(workdir / "features_bf16.npy", features_bf16.numpy().astype(np.float32))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
