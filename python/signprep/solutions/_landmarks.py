"""Landmark lists shaped like MediaPipe's protobufs (``NormalizedLandmarkList``):
``.landmark[i].x / .y / .z`` (and ``.visibility`` for the pose), built from signprep's
arrays when first read."""


class NormalizedLandmark:
    """One landmark: x and y normalised to the image, z on about x's scale."""
    __slots__ = ("x", "y", "z", "visibility")

    def __init__(self, x, y, z, visibility=0.0):
        self.x, self.y, self.z, self.visibility = x, y, z, visibility

    def HasField(self, name):  # noqa: N802 (protobuf's spelling)
        return name in ("x", "y", "z")

    def __repr__(self):
        return f"NormalizedLandmark(x={self.x:.6f}, y={self.y:.6f}, z={self.z:.6f})"


class PoseLandmarkPoint(NormalizedLandmark):
    """A pose landmark, which also has MediaPipe's visibility."""
    __slots__ = ()

    def HasField(self, name):  # noqa: N802
        return name in ("x", "y", "z", "visibility")

    def __repr__(self):
        return (f"NormalizedLandmark(x={self.x:.6f}, y={self.y:.6f}, z={self.z:.6f}, "
                f"visibility={self.visibility:.6f})")


class NormalizedLandmarkList:
    """A block of landmarks; ``.array`` is the float32 array it came from."""
    __slots__ = ("array", "_landmark")

    def __init__(self, array):
        self.array = array
        self._landmark = None

    @property
    def landmark(self):
        if self._landmark is None:
            rows = self.array.tolist()
            if self.array.shape[1] == 4:
                self._landmark = [PoseLandmarkPoint(*row) for row in rows]
            else:
                self._landmark = [NormalizedLandmark(*row) for row in rows]
        return self._landmark

    def __repr__(self):
        return f"NormalizedLandmarkList({len(self.array)} landmarks)"


class LandmarkList(NormalizedLandmarkList):
    """World landmarks in metres (MediaPipe's ``LandmarkList``), the same access."""
    __slots__ = ()

    def __repr__(self):
        return f"LandmarkList({len(self.array)} landmarks)"


def landmark_list(array):
    return None if array is None else NormalizedLandmarkList(array)


def world_landmark_list(array):
    return None if array is None else LandmarkList(array)
