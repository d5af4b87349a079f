"""signprep: sign-language video to training data, and MediaPipe Holistic without MediaPipe.

The classes run signprep's C++ core (FFmpeg decoding, MediaPipe's models on oneDNN):

    Holistic            pose, hand and face landmarks per frame, tracked across a video
    SelfieSegmentation  person mask per frame
    VideoReader         (timestamp_ms, rgb) frames of a video file, optionally sampled
    Extractor, extract  a clip's .npz arrays, as `signprep IN OUT` writes them, in memory
    InceptionV3         2048-d frame features

``signprep.solutions.holistic`` is a drop-in for ``mediapipe.solutions.holistic``.

Threads: an object serves one thread at a time; objects in different threads run in
parallel, since every call that decodes or runs a model releases the GIL. Processes:
make objects in the process that uses them (after a fork, in the worker), as the
DataLoader example in README shows.
"""
from ._signprep import (
    Extractor,
    Holistic,
    HolisticResult,
    InceptionV3,
    SelfieSegmentation,
    VideoReader,
    __version__,
    set_ffmpeg_logging,
)
from . import solutions

__all__ = [
    "Extractor",
    "Holistic",
    "HolisticResult",
    "InceptionV3",
    "SelfieSegmentation",
    "VideoReader",
    "extract",
    "set_ffmpeg_logging",
    "solutions",
    "__version__",
]


def extract(path, keypoints=True, iv3_features=False, **options):
    """The arrays `signprep IN OUT` would write into the clip's .npz, as a dict.

    Members in the .npz's order: ``X`` [T, 156] float32 and ``mask`` [T, 78] bool
    (keypoints), the features [T, 2048] float32 under ``feature_key`` (iv3_features),
    ``timestamps_ms`` [T] int64, and ``meta`` parsed into a dict; bit-identical to the
    file for the same options. ``keypoints="full"`` (the command line's ``--keypoints
    full``) adds Holistic's whole output after ``meta``: ``pose`` [T, 33, 4],
    ``pose_present``, ``pose_world`` [T, 33, 3] (metres), ``left_hand`` and ``right_hand``
    [T, 21, 3], their ``*_present``, ``face`` [T, 478, 3], ``face_present`` (NaN where
    a block was not found). Options are the command line's, by the same names:
    target_fps=15, sampling="on-slot", out_size=256, conf_thresh=0.5, max_gap=5,
    feature_key="X2048", occ_vis_thresh=0.6, occ_frame_prop=0.4, occ_min_run=15,
    model_complexity=1, refine_face=True, smooth_landmarks=True, segmentation=True,
    models_dir=None, iv3_weights=None, threads=1.

    Loads the models on each call: for many clips, make one ``Extractor`` and call its
    ``extract``.
    """
    return Extractor(keypoints=keypoints, iv3_features=iv3_features, **options).extract(path)
