#!/usr/bin/python3
"""Converts a PyTorch state dict (.pth) into a safetensors file for signprep.

usage: scripts/pth_to_safetensors.py IN.pth OUT.safetensors

For users who have torchvision's InceptionV3 weights as a .pth file (for
example inception_v3_google-0cc3c7bd.pth, torchvision's IMAGENET1K_V1, which
torch.hub caches under ~/.cache/torch/hub/checkpoints/) and want the file that
`signprep --iv3-weights` reads:

    scripts/pth_to_safetensors.py inception_v3_google-0cc3c7bd.pth models/inception_v3.safetensors

Every tensor of the state dict is written under its own name with its own
dtype; a checkpoint that wraps the state dict ({"state_dict": ...} or
{"model": ...}) is unwrapped. Needs python3-torch (Debian: apt-get install
python3-torch). The safetensors format is written here directly (an 8-byte
little-endian header length, a JSON header, the raw little-endian data), as
Debian has no `safetensors` package.
"""
import json
import struct
import sys

DTYPE_NAMES = {
    "torch.float64": "F64", "torch.float32": "F32", "torch.float16": "F16",
    "torch.bfloat16": "BF16", "torch.int64": "I64", "torch.int32": "I32",
    "torch.int16": "I16", "torch.int8": "I8", "torch.uint8": "U8", "torch.bool": "BOOL",
}


def tensor_bytes(tensor):
    """The tensor's data, row-major, little-endian (the host order on x86 and ARM)."""
    import torch
    tensor = tensor.detach().cpu().contiguous()
    if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16: same bits as int16
        tensor = tensor.view(torch.int16)
    return tensor.numpy().tobytes()


def save_safetensors(tensors, path, metadata=None):
    """Writes {name: torch.Tensor} to `path` in the safetensors format."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        tensor = tensors[name]
        dtype = DTYPE_NAMES.get(str(tensor.dtype))
        if dtype is None:
            raise ValueError(f"{name}: dtype {tensor.dtype} has no safetensors name")
        data = tensor_bytes(tensor)
        header[name] = {"dtype": dtype, "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the format suggests
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for chunk in chunks:
            out.write(chunk)


def load_state_dict(path):
    import torch
    checkpoint = torch.load(path, map_location="cpu")
    for key in ("state_dict", "model"):
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
    tensors = {name: value for name, value in checkpoint.items() if isinstance(value, torch.Tensor)}
    if not tensors:
        raise ValueError(f"{path}: no tensors found (is it a state dict?)")
    return tensors


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr if len(argv) != 2 else sys.stdout)
        return 0 if len(argv) == 2 else 2
    tensors = load_state_dict(argv[1])
    save_safetensors(tensors, argv[2], {"format": "pt", "source": argv[1]})
    print(f"wrote {len(tensors)} tensors to {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
