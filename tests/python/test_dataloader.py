"""The DataLoader example (python/examples/dataloader.py) in forked workers
gives extract()'s arrays (only where python3-torch is installed)."""
import importlib.util

import numpy as np
import pytest

import signprep
from conftest import CLIPS, ROOT

torch = pytest.importorskip("torch")


def load_example():
    path = ROOT / "python" / "examples" / "dataloader.py"
    spec = importlib.util.spec_from_file_location("dataloader_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_forked_workers_give_the_extracted_arrays():
    example = load_example()
    expected = [signprep.extract(clip, target_fps=5) for clip in CLIPS]
    # The parent has used its own extractor before the workers fork.
    dataset_loader = example.loader(CLIPS, range(len(CLIPS)), workers=2, batch_size=2,
                                    target_fps=5)
    dataset_loader.dataset[0]
    seen = 0
    for x, mask, lengths, labels in dataset_loader:
        for row, label in enumerate(labels.tolist()):
            length = int(lengths[row])
            assert np.array_equal(x[row, :length].numpy(), expected[label]["X"])
            assert np.array_equal(mask[row, :length].numpy(), expected[label]["mask"])
            assert not x[row, length:].any()
            seen += 1
    assert seen == len(CLIPS)
