"""An independent implementation of the occlusion flag, written from the
Python tool's rule as the foundation issue states it (not from
src/features/occlusion.cpp), to check signprep's flag against."""
import numpy as np

FACE, LEFT, RIGHT = 67, 25, 46


def frame_occluded_by_hand(xy, visible):
    """The hand-over-face rule for one frame: None when the face is not seen."""
    face = [k for k in range(FACE, FACE + 11) if visible[k]]
    if len(face) < 5:
        return None
    fx, fy = xy[face, 0], xy[face, 1]
    cx, cy = (fx.min() + fx.max()) / 2, (fy.min() + fy.max()) / 2
    ax = max((fx.max() - fx.min()) / 2 * 1.3, 1e-3)
    ay = max((fy.max() - fy.min()) / 2 * 1.3, 1e-3)

    def inside(p, scale=1.0):
        return ((p[0] - cx) / (ax * scale)) ** 2 + ((p[1] - cy) / (ay * scale)) ** 2 <= 1.0

    for hand in (LEFT, RIGHT):
        if visible[hand:hand + 21].sum() < 4:
            continue
        if any(visible[hand + tip] and inside(xy[hand + tip]) for tip in (4, 8, 12, 16, 20)):
            return True
        palm = [hand + p for p in (5, 9, 13, 17) if visible[hand + p]]
        if len(palm) >= 2:
            centre = xy[palm].mean(axis=0)
        elif visible[hand]:
            centre = xy[hand]
        else:
            continue
        if inside(centre, 1.2):
            return True
    return False


def clip_flag(flags, frame_prop=0.4, min_run=15):
    if not flags:
        return False
    run = longest = 0
    for f in flags:
        run = run + 1 if f else 0
        longest = max(longest, run)
    return sum(flags) / len(flags) >= frame_prop or longest >= min_run


def occluded(X, mask):
    xy = X.reshape(len(X), 78, 2).astype(np.float64)
    per_frame = [frame_occluded_by_hand(xy[t], mask[t]) for t in range(len(X))]
    over = [bool(f) for f in per_frame]
    if all(f is None for f in per_frame) or not any(over):
        return clip_flag([mask[t].sum() / 78 < 0.6 for t in range(len(X))])
    return clip_flag(over)
