# Type stubs of the compiled core (python/module.cpp).
from os import PathLike
from typing import Any, Iterator, Optional, Union

import numpy as np
import numpy.typing as npt

_Path = Union[str, PathLike[str]]
_Rgb = npt.NDArray[np.uint8]  # [H, W, 3]

__version__: str

def set_ffmpeg_logging(verbose: bool) -> None: ...

class HolisticResult:
    @property
    def pose(self) -> Optional[npt.NDArray[np.float32]]: ...  # [33, 4]: x, y, z, visibility
    @property
    def pose_world(self) -> Optional[npt.NDArray[np.float32]]: ...  # [33, 4]: metres, visibility
    @property
    def left_hand(self) -> Optional[npt.NDArray[np.float32]]: ...  # [21, 3]
    @property
    def right_hand(self) -> Optional[npt.NDArray[np.float32]]: ...  # [21, 3]
    @property
    def face(self) -> Optional[npt.NDArray[np.float32]]: ...  # [478 or 468, 3]

class Holistic:
    def __init__(
        self,
        model_complexity: int = 1,
        smooth_landmarks: bool = True,
        refine_face_landmarks: bool = True,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        static_image_mode: bool = False,
        *,
        segment_background: bool = False,
        models_dir: Optional[_Path] = None,
        threads: int = 1,
    ) -> None: ...
    def process(self, rgb: _Rgb, timestamp_ms: Optional[float] = None) -> HolisticResult: ...
    def reset(self) -> None: ...

class SelfieSegmentation:
    def __init__(
        self, model_selection: int = 1, *, models_dir: Optional[_Path] = None, threads: int = 1
    ) -> None: ...
    def process(self, rgb: _Rgb) -> npt.NDArray[np.float32]: ...  # [H, W]

class VideoReader:
    def __init__(
        self,
        path: _Path,
        target_fps: Optional[float] = None,
        sampling: str = "on-slot",
        *,
        decoder_threads: int = 0,
    ) -> None: ...
    def __iter__(self) -> Iterator[tuple[int, _Rgb]]: ...
    def __next__(self) -> tuple[int, _Rgb]: ...
    def __enter__(self) -> "VideoReader": ...
    def __exit__(self, *exception: Any) -> None: ...
    def close(self) -> None: ...
    @property
    def fps(self) -> float: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def size(self) -> tuple[int, int]: ...
    @property
    def rotation(self) -> int: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def frame_estimate(self) -> int: ...
    @property
    def codec(self) -> str: ...
    @property
    def container(self) -> str: ...
    @property
    def frames_decoded(self) -> int: ...
    @property
    def damage(self) -> Optional[str]: ...

class Extractor:
    def __init__(self, keypoints: Union[bool, str] = True, iv3_features: bool = False,
                 **options: Any) -> None: ...
    def extract(self, path: _Path) -> dict[str, Any]: ...

class InceptionV3:
    def __init__(self, weights: Optional[_Path] = None, *, threads: int = 1) -> None: ...
    def features(self, frames: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]: ...  # [N, 2048]
