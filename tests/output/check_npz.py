"""numpy's view of an .npz written by npz_writer_test: exact dtypes, shapes,
values, member order and zip layout. Usage: check_npz.py FILE FRAMES"""
import json
import sys
import zipfile

import numpy as np

META = '{"video": "vid\\u00e9o.mp4"} \u2713 \U0001d11e \u00e9'


def main(path, frames):
    with zipfile.ZipFile(path) as archive:
        names = [info.filename for info in archive.infolist()]
        assert names == ["X.npy", "X2048.npy", "mask.npy", "timestamps_ms.npy", "meta.npy"], names
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_DEFLATED, (info.filename, info.compress_type)
            assert info.date_time == (1980, 1, 1, 0, 0, 0), (info.filename, info.date_time)
        assert archive.testzip() is None

    data = np.load(path)  # no allow_pickle: every member must load without it
    expected = {
        "X": (np.arange(frames * 156, dtype=np.float32) * np.float32(0.5) - np.float32(7)).reshape(frames, 156),
        "X2048": (np.arange(frames * 2048, dtype=np.float32) * np.float32(0.001)).reshape(frames, 2048),
        "mask": (np.arange(frames * 78) % 3 == 0).reshape(frames, 78),
        "timestamps_ms": np.arange(frames, dtype=np.int64) * 33,
    }
    for key, want in expected.items():
        got = data[key]
        assert got.dtype == want.dtype, (key, got.dtype, want.dtype)
        assert got.shape == want.shape, (key, got.shape, want.shape)
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), key
    meta = data["meta"]
    assert meta.shape == () and meta.dtype == np.dtype("<U%d" % len(META)), (meta.shape, meta.dtype)
    assert meta.item() == META, repr(meta.item())
    assert json.loads(meta.item().split("}")[0] + "}") == {"video": "vid\u00e9o.mp4"}


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
    print("ok", sys.argv[1])
