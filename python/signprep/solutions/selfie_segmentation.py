"""A drop-in for ``mediapipe.solutions.selfie_segmentation`` with model_selection=1
(the landscape model, the one the Python tool uses); model_selection=0 raises
NotImplementedError."""
from typing import NamedTuple

import numpy as np

from .. import _signprep

__all__ = ["SelfieSegmentation"]


class SelfieSegmentationResults(NamedTuple):
    segmentation_mask: np.ndarray  # float32 [H, W] in [0, 1]


class SelfieSegmentation:
    """MediaPipe's selfie segmentation: the probability that each pixel shows a person."""

    def __init__(self, model_selection=0):
        self._segmentation = _signprep.SelfieSegmentation(model_selection)

    def process(self, image):
        """The mask of an RGB image (uint8 numpy array [H, W, 3])."""
        if self._segmentation is None:
            raise ValueError("SelfieSegmentation is closed")
        return SelfieSegmentationResults(self._segmentation.process(image))

    def close(self):
        self._segmentation = None

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()
