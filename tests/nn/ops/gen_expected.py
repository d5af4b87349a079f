#!/usr/bin/python3
"""Writes expected_values.h: expected outputs of the reference kernel tests,
computed with numpy in float64 by methods independent of the C++ kernels
(explicit zero padding and sliding windows, NaN-padded pooling, scatter-then-
crop transposed convolution, matrix algebra for the MediaPipe ops).

Run: /usr/bin/python3 tests/nn/ops/gen_expected.py  (from the repository root)
"""
import math
import os

import numpy as np


def pattern(count, salt=0):
    """Same as op_test_util.h pattern(): multiples of 1/4 in [-2, 2]."""
    i = np.arange(count)
    return ((i * 7 + salt * 3) % 17 - 8) * 0.25


def same_padding(size, k, stride, dilation):
    """TFLite: out = ceil(in / stride); total = max((out-1)*s + eff - in, 0)."""
    eff = (k - 1) * dilation + 1
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + eff - size, 0)
    return out, total // 2, total - total // 2


def conv2d(x, w, b, stride, dilation, padding, act=None):
    """x [N,H,W,I], w [O,kh,kw,I]; zero-pads explicitly, then slides."""
    n, h, wd, _ = x.shape
    o, kh, kw, _ = w.shape
    sh, sw = stride
    dh, dw = dilation
    if padding == "SAME":
        oh, pt, pb = same_padding(h, kh, sh, dh)
        ow, pl, pr = same_padding(wd, kw, sw, dw)
    else:
        oh = (h - ((kh - 1) * dh + 1)) // sh + 1
        ow = (wd - ((kw - 1) * dw + 1)) // sw + 1
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((n, oh, ow, o))
    for y in range(oh):
        for xx in range(ow):
            patch = xp[:, y * sh:y * sh + (kh - 1) * dh + 1:dh, xx * sw:xx * sw + (kw - 1) * dw + 1:dw, :]
            out[:, y, xx, :] = np.einsum("nhwi,ohwi->no", patch, w)
    if b is not None:
        out += b
    return activate(out, act)


def depthwise(x, w, b, stride, padding, mult, act=None):
    """w [1,kh,kw,I*mult]: channel ic*mult+m filters input channel ic."""
    _, kh, kw, oc = w.shape
    ic = x.shape[3]
    outs = []
    for c in range(ic):
        for m in range(mult):
            k = c * mult + m
            wk = w[0, :, :, k][None, :, :, None]
            outs.append(conv2d(x[..., c:c + 1], wk, None, stride, (1, 1), padding)[..., 0])
    out = np.stack(outs, axis=-1)
    if b is not None:
        out += b
    return activate(out, act)


def activate(v, act):
    if act is None:
        return v
    return {"RELU": lambda a: np.maximum(a, 0), "RELU6": lambda a: np.clip(a, 0, 6),
            "RELU_N1_TO_1": lambda a: np.clip(a, -1, 1), "TANH": np.tanh}[act](v)


def pool(x, k, stride, padding, kind):
    """NaN padding, so that nanmax/nanmean see only the valid cells."""
    n, h, w, c = x.shape
    if padding == "SAME":
        oh, pt, pb = same_padding(h, k[0], stride[0], 1)
        ow, pl, pr = same_padding(w, k[1], stride[1], 1)
    else:
        oh, ow = (h - k[0]) // stride[0] + 1, (w - k[1]) // stride[1] + 1
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=np.nan)
    out = np.zeros((n, oh, ow, c))
    f = np.nanmax if kind == "max" else np.nanmean
    for y in range(oh):
        for xx in range(ow):
            win = xp[:, y * stride[0]:y * stride[0] + k[0], xx * stride[1]:xx * stride[1] + k[1], :]
            out[:, y, xx, :] = f(win.reshape(n, -1, c), axis=1)
    return out


def resize_bilinear(x, oh, ow, align_corners, half_pixel):
    """TFLite's definition, written per axis with numpy weights."""
    n, h, w, c = x.shape

    def axis(out, size):
        scale = (size - 1) / (out - 1) if align_corners and out > 1 else size / out
        src = (np.arange(out) + 0.5) * scale - 0.5 if half_pixel else np.arange(out) * scale
        lo = np.maximum(np.floor(src), 0).astype(int)
        hi = np.minimum(np.ceil(src), size - 1).astype(int)
        return lo, hi, src - lo

    y0, y1, dy = axis(oh, h)
    x0, x1, dx = axis(ow, w)
    dy = dy[None, :, None, None]
    dx = dx[None, None, :, None]
    g = lambda ys, xs: x[:, ys][:, :, xs]
    return (g(y0, x0) * (1 - dy) * (1 - dx) + g(y1, x0) * dy * (1 - dx) +
            g(y0, x1) * (1 - dy) * dx + g(y1, x1) * dy * dx)


def transpose_conv(x, w, b, stride, padding):
    """Scatter every input cell into a full-size canvas, then crop."""
    n, h, wd, _ = x.shape
    o, kh, kw, _ = w.shape
    full = np.zeros((n, (h - 1) * stride[0] + kh, (wd - 1) * stride[1] + kw, o))
    for y in range(h):
        for xx in range(wd):
            full[:, y * stride[0]:y * stride[0] + kh, xx * stride[1]:xx * stride[1] + kw, :] += \
                np.einsum("ni,ohwi->nhwo", x[:, y, xx, :], w)
    tot_h = max(0, kh - (h - 1) % stride[0] - 1) if padding == "SAME" else 0
    tot_w = max(0, kw - (wd - 1) % stride[1] - 1) if padding == "SAME" else 0
    oh = full.shape[1] - tot_h
    ow = full.shape[2] - tot_w
    return full[:, tot_h // 2:tot_h // 2 + oh, tot_w // 2:tot_w // 2 + ow, :] + b


def landmarks_matrix(lm, subset, left, right, target, out_h, out_w, scale_x, scale_y):
    """Landmarks2TransformMatrix v2 in float64 with 2-d rotations."""
    def rot(r):
        return np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    xy = lm[:, :2]
    rotation = target - math.atan2(xy[right, 1] - xy[left, 1], xy[right, 0] - xy[left, 0])
    pts = xy[subset] @ rot(rotation).T
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    size = hi - lo
    centre = rot(-rotation) @ ((lo + hi) / 2)
    m = np.eye(4)
    m[:2, :2] = rot(-rotation) @ np.diag([scale_x * size[0] / out_w, scale_y * size[1] / out_h])
    m[:2, 3] = centre + m[:2, :2] @ np.array([-out_w / 2, -out_h / 2])
    return m


def transform_tensor(x, m, oh, ow):
    """TransformTensorBilinear v2: pixel-centre shift, bilinear, zero outside."""
    _, h, w, c = x.shape
    ax = m[0].copy()
    ay = m[1].copy()
    ax[3] += ax[0] * 0.5 + ax[1] * 0.5 - 0.5
    ay[3] += ay[0] * 0.5 + ay[1] * 0.5 - 0.5
    out = np.zeros((1, oh, ow, c))
    padded = np.zeros((h + 1, w + 1, c))
    padded[:h, :w] = x[0]
    for y in range(oh):
        for xx in range(ow):
            sx = ax[0] * xx + ax[1] * y + ax[3]
            sy = ay[0] * xx + ay[1] * y + ay[3]
            if sx < 0 or sy < 0 or sx > w - 1 or sy > h - 1:
                continue
            x0, y0 = int(math.floor(sx)), int(math.floor(sy))
            fx, fy = sx - x0, sy - y0
            out[0, y, xx] = ((1 - fy) * ((1 - fx) * padded[y0, x0] + fx * padded[y0, x0 + 1]) +
                             fy * ((1 - fx) * padded[y0 + 1, x0] + fx * padded[y0 + 1, x0 + 1]))
    return out


def literal(v):
    """A C++ float literal with 9 significant digits (enough to round-trip)."""
    text = f"{v:.9g}"
    if "." not in text and "e" not in text:
        text += ".0"
    return text + "f"


def main():
    arrays = {}

    # CONV_2D
    x = pattern(1 * 5 * 7 * 3).reshape(1, 5, 7, 3)
    w = pattern(2 * 3 * 3 * 3, 1).reshape(2, 3, 3, 3)
    b = np.array([0.5, -0.25])
    arrays["kConvSameStride1"] = conv2d(x, w, b, (1, 1), (1, 1), "SAME")
    arrays["kConvSameStride2"] = conv2d(x, w, b, (2, 2), (1, 1), "SAME")
    arrays["kConvValidStride2"] = conv2d(x, w, b, (2, 2), (1, 1), "VALID")
    arrays["kConvSameDilation2x1Relu6"] = conv2d(x, w, b, (1, 1), (2, 1), "SAME", "RELU6")
    arrays["kConvValidStride3x1NoBias"] = conv2d(x, w, None, (3, 1), (1, 1), "VALID")
    x13 = pattern(1 * 3 * 3 * 13, 2).reshape(1, 3, 3, 13)
    w13 = pattern(4 * 1 * 1 * 13, 3).reshape(4, 1, 1, 13)
    arrays["kConv1x1Channels13Relu"] = conv2d(x13, w13, pattern(4, 5), (1, 1), (1, 1), "VALID", "RELU")

    # DEPTHWISE_CONV_2D
    x = pattern(1 * 5 * 6 * 3).reshape(1, 5, 6, 3)
    w = pattern(1 * 3 * 3 * 6, 4).reshape(1, 3, 3, 6)
    b = pattern(6, 6)
    arrays["kDepthwiseMult2SameStride2"] = depthwise(x, w, b, (2, 2), "SAME", 2)
    w5 = pattern(1 * 5 * 5 * 3, 7).reshape(1, 5, 5, 3)
    arrays["kDepthwise5x5Valid"] = depthwise(pattern(1 * 7 * 6 * 3).reshape(1, 7, 6, 3), w5, None,
                                             (1, 1), "VALID", 1)
    x13 = pattern(1 * 4 * 5 * 13, 8).reshape(1, 4, 5, 13)
    w13 = pattern(1 * 3 * 3 * 13, 9).reshape(1, 3, 3, 13)
    arrays["kDepthwiseChannels13Relu6"] = depthwise(x13, w13, pattern(13, 10), (1, 1), "SAME", 1,
                                                    "RELU6")

    # Pooling
    x = pattern(1 * 5 * 5 * 2).reshape(1, 5, 5, 2)
    arrays["kMaxPool2x2Same"] = pool(x, (2, 2), (2, 2), "SAME", "max")
    arrays["kAvgPool2x2Same"] = pool(x, (2, 2), (2, 2), "SAME", "avg")
    arrays["kAvgPool3x3Stride1Same"] = pool(x, (3, 3), (1, 1), "SAME", "avg")
    arrays["kMaxPool3x2Valid"] = pool(x, (3, 2), (2, 1), "VALID", "max")
    x6 = pattern(1 * 6 * 7 * 3, 3).reshape(1, 6, 7, 3)
    arrays["kAvgPool3x3Stride2Same"] = pool(x6, (3, 3), (2, 2), "SAME", "avg")

    # RESIZE_BILINEAR
    x = pattern(1 * 2 * 3 * 2, 1).reshape(1, 2, 3, 2)
    arrays["kResizeUpPlain"] = resize_bilinear(x, 4, 5, False, False)
    arrays["kResizeUpAlignCorners"] = resize_bilinear(x, 4, 5, True, False)
    arrays["kResizeUpHalfPixel"] = resize_bilinear(x, 4, 5, False, True)
    x = pattern(1 * 5 * 7 * 1, 2).reshape(1, 5, 7, 1)
    arrays["kResizeDownHalfPixel"] = resize_bilinear(x, 3, 4, False, True)
    arrays["kResizeDownAlignCorners"] = resize_bilinear(x, 3, 4, True, False)

    # Convolution2DTransposeBias
    x = pattern(1 * 3 * 4 * 2).reshape(1, 3, 4, 2)
    w = pattern(3 * 2 * 2 * 2, 1).reshape(3, 2, 2, 2)
    b = np.array([0.5, -1.0, 0.25])
    arrays["kTransposeConv2x2Stride2Same"] = transpose_conv(x, w, b, (2, 2), "SAME")
    w3 = pattern(2 * 3 * 3 * 2, 2).reshape(2, 3, 3, 2)
    arrays["kTransposeConv3x3Stride2Same"] = transpose_conv(x, w3, b[:2], (2, 2), "SAME")
    arrays["kTransposeConv3x3Stride2Valid"] = transpose_conv(x, w3, b[:2], (2, 2), "VALID")

    # Landmarks2TransformMatrix v2 (6 landmarks of a tilted square)
    lm = np.array([[10.0, 20.0, 1.0], [30.0, 25.0, 2.0], [12.0, 40.0, 0.5],
                   [33.0, 44.0, -1.0], [20.0, 30.0, 0.0], [5.0, 5.0, 3.0]])
    arrays["kLandmarksToMatrix"] = landmarks_matrix(lm, [0, 1, 2, 3, 4], 0, 1, 0.0, 16, 24, 1.5, 2.0)
    arrays["kLandmarksToMatrixTarget"] = landmarks_matrix(lm, [0, 3, 2], 2, 3, 0.5, 8, 8, 1.0, 1.0)

    # TransformTensorBilinear v2
    x = pattern(1 * 6 * 7 * 2, 5).reshape(1, 6, 7, 2)
    m = np.array([[0.5, -0.25, 0, 1.5], [0.25, 0.5, 0, 0.75], [0, 0, 1, 0], [0, 0, 0, 1]])
    arrays["kTransformTensorMatrix"] = m
    arrays["kTransformTensor"] = transform_tensor(x, m, 5, 4)
    m2 = np.array([[1.25, 0.0, 0, -1.0], [0.0, 1.25, 0, -1.0], [0, 0, 1, 0], [0, 0, 0, 1]])
    arrays["kTransformTensorZoomMatrix"] = m2
    arrays["kTransformTensorZoom"] = transform_tensor(x, m2, 6, 7)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected_values.h")
    with open(path, "w") as f:
        f.write("// Generated by gen_expected.py (numpy, float64); do not edit.\n")
        f.write("#pragma once\n\n#include <vector>\n\n")
        f.write("namespace signprep::nn::reference::testing {\n\n")
        for name, value in arrays.items():
            flat = ", ".join(literal(v) for v in np.asarray(value, dtype=np.float64).ravel())
            f.write(f"// shape {list(np.shape(value))}\n")
            f.write(f"inline const std::vector<float> {name} = {{{flat}}};\n\n")
        f.write("}  // namespace signprep::nn::reference::testing\n")


if __name__ == "__main__":
    main()
