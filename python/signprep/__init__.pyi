from os import PathLike
from typing import Any, Union

from ._signprep import (
    Extractor as Extractor,
    Holistic as Holistic,
    HolisticResult as HolisticResult,
    InceptionV3 as InceptionV3,
    SelfieSegmentation as SelfieSegmentation,
    VideoReader as VideoReader,
    __version__ as __version__,
    set_ffmpeg_logging as set_ffmpeg_logging,
)

def extract(
    path: Union[str, PathLike[str]], keypoints: Union[bool, str] = True, iv3_features: bool = False,
    **options: Any
) -> dict[str, Any]: ...
