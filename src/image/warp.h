// Cropping a rotated rectangle of an image into a float tensor, the way
// MediaPipe's GPU ImageToTensorCalculator does it: the rectangle is mapped
// onto the tensor, each tensor pixel centre samples the image bilinearly (a
// GL_LINEAR texture lookup: pixel centres at +0.5, edges clamped), and
// intensities 0..255 map linearly onto a value range.
#pragma once

#include <span>

#include "image/image.h"

namespace signprep::image {

// A rectangle in pixel coordinates, rotated by `rotation` radians about its
// centre (positive turns clockwise on screen, since y points down).
struct RotatedRect {
  float center_x = 0, center_y = 0;
  float width = 0, height = 0;
  float rotation = 0;
};

enum class BorderMode {
  kZero,       // samples outside the image read intensity 0 (then mapped to range.min)
  kReplicate,  // samples outside the image read the nearest edge pixel
};

struct ValueRange {
  float min = 0, max = 1;
};

// Which code samples: the fastest this CPU runs (sixteen pixels a step on
// AVX-512), or the portable loop every CPU runs. Both give the same floats,
// bit for bit; the choice is there for tests and benchmarks to compare them.
enum class CropKernel { kFastest, kPortable };

// Writes dst_height x dst_width x 3 floats (RGB, row-major, channels last)
// to `tensor`, which must hold exactly that many.
void crop_to_tensor(const ImageView& source, const RotatedRect& roi, int dst_width, int dst_height,
                    ValueRange range, BorderMode border, std::span<float> tensor,
                    CropKernel kernel = CropKernel::kFastest);

}  // namespace signprep::image
