// Resizing that reproduces OpenCV 4.6's cv::resize on 8-bit, 3-channel images
// pixel for pixel, so that signprep feeds its models the same pixels the
// Python tool did. The channel order is carried through unchanged.
#pragma once

#include "image/image.h"

namespace signprep::image {

// cv::resize(src, (width, height), interpolation=cv::INTER_AREA).
// Integer downscale factors average whole kx*ky blocks in integers (2x2
// rounds half up; other blocks multiply by a float 1 / area and round half
// to even). Other downscales weight each source pixel by the share of its
// area inside the destination pixel (float tables, float sums in OpenCV's
// order). When either axis grows, OpenCV falls back to bilinear
// interpolation with area-style coefficients on both axes, and so does this.
// A same-size resize is a copy. Non-positive sizes or an empty source throw
// std::invalid_argument.
Image resize_area(const ImageView& src, int width, int height);

// cv::resize(src, (width, height)) with the default cv::INTER_LINEAR:
// half-pixel centres, edge pixels replicated, 11-bit fixed-point weights and
// OpenCV's integer rounding of the vertical pass. An exact 2x downscale on
// both axes is OpenCV's 2x2 box average, as in OpenCV. Same errors as
// resize_area.
Image resize_bilinear(const ImageView& src, int width, int height);

}  // namespace signprep::image
