"""Drop-ins for MediaPipe's legacy Python solutions (``mediapipe.solutions``).

A script written for MediaPipe runs after its import line changes::

    from signprep import solutions as mp_solutions   # was: mp.solutions
    mp_holistic = mp_solutions.holistic

Provided: ``holistic``, ``selfie_segmentation``, and the landmark enums of ``pose``
and ``hands``. Drawing utilities and the connection lists are not.
"""
from . import hands, holistic, pose, selfie_segmentation

__all__ = ["hands", "holistic", "pose", "selfie_segmentation"]
