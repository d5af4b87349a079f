"""What MediaPipe's solution classes share: a native object, close() and use
as a context manager."""


class Solution:
    """Holds the native object until close(); process() after close() raises."""

    def __init__(self, native):
        self._native = native

    def _open(self):
        if self._native is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._native

    def close(self):
        """Frees the models."""
        self._native = None

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()
