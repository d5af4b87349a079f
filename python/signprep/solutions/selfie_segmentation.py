"""A drop-in for ``mediapipe.solutions.selfie_segmentation`` with model_selection=1
(the landscape model, the one the Python tool uses); model_selection=0 raises
NotImplementedError."""
from typing import NamedTuple

import numpy as np

from .. import _signprep
from ._solution import Solution

__all__ = ["SelfieSegmentation"]


class SelfieSegmentationResults(NamedTuple):
    segmentation_mask: np.ndarray  # float32 [H, W] in [0, 1]


class SelfieSegmentation(Solution):
    """MediaPipe's selfie segmentation: the probability that each pixel shows a person."""

    def __init__(self, model_selection=0):
        super().__init__(_signprep.SelfieSegmentation(model_selection))

    def process(self, image):
        """The mask of an RGB image (uint8 numpy array [H, W, 3])."""
        return SelfieSegmentationResults(self._open().process(image))
