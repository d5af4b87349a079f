"""Keypoints extracted on the fly in PyTorch DataLoader workers.

    python3 python/examples/dataloader.py samples/*.mp4

Each worker process makes its own signprep.Extractor the first time it needs
one, so the models load once per worker and never cross a fork. About fork
and threads: DataLoader forks its workers from the training process; an
object made before the fork belongs to the parent (its decoder or OpenMP
threads were not copied), so the dataset makes its extractor in the process
that calls it. signprep runs its models on one OpenMP thread by default
(threads=1), which starts no thread pool at all; a parent that ran models on
more threads can still fork workers that run their own (tests/python checks
both). Use num_workers = cores and threads=1 for the most clips per second.
"""
import os
import sys

import torch
from torch.utils.data import DataLoader, Dataset

import signprep


class SignClips(Dataset):
    """(X [T, 156], mask [T, 78], label) per video, as signprep's .npz holds them."""

    def __init__(self, videos, labels, **options):
        self.videos = [os.fspath(video) for video in videos]
        self.labels = list(labels)
        self.options = options  # signprep.Extractor's: target_fps, out_size, ...
        self._extractor = None
        self._owner = None  # the pid that made the extractor

    def __len__(self):
        return len(self.videos)

    def _extractor_here(self):
        if self._owner != os.getpid():
            self._extractor = signprep.Extractor(keypoints=True, **self.options)
            self._owner = os.getpid()
        return self._extractor

    def __getitem__(self, index):
        clip = self._extractor_here().extract(self.videos[index])
        return torch.from_numpy(clip["X"]), torch.from_numpy(clip["mask"]), self.labels[index]


def pad_batch(batch):
    """Clips of different lengths padded with zeros to the longest; lengths kept."""
    xs, masks, labels = zip(*batch)
    lengths = torch.tensor([len(x) for x in xs])
    return (torch.nn.utils.rnn.pad_sequence(xs, batch_first=True),
            torch.nn.utils.rnn.pad_sequence(masks, batch_first=True), lengths,
            torch.tensor(labels))


def loader(videos, labels, workers=2, batch_size=2, **options):
    return DataLoader(SignClips(videos, labels, **options), batch_size=batch_size,
                      num_workers=workers, collate_fn=pad_batch)


if __name__ == "__main__":
    videos = sys.argv[1:]
    for x, mask, lengths, labels in loader(videos, range(len(videos))):
        print(f"batch: X {tuple(x.shape)}, mask {tuple(mask.shape)}, lengths {lengths.tolist()}, "
              f"labels {labels.tolist()}")
