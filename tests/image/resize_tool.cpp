// resize_tool IN.raw WIDTH HEIGHT OUT_WIDTH OUT_HEIGHT area|bilinear OUT.raw
//
// Resizes a packed rgb24 file with signprep's resize, for check_resize.py to
// compare against cv2.resize. The input is read into rows padded by a few
// bytes, so that every comparison also covers ImageView's stride.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "image/resize.h"

namespace {

constexpr std::size_t kRowPadding = 5;

int usage() {
  std::fprintf(stderr, "usage: resize_tool IN.raw W H OUT_W OUT_H area|bilinear OUT.raw\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using signprep::image::ImageView;
  if (argc != 8) return usage();
  const int width = std::atoi(argv[2]);
  const int height = std::atoi(argv[3]);
  const int out_width = std::atoi(argv[4]);
  const int out_height = std::atoi(argv[5]);
  const std::string mode = argv[6];
  if (width <= 0 || height <= 0 || (mode != "area" && mode != "bilinear")) return usage();

  std::ifstream in(argv[1], std::ios::binary);
  const std::vector<char> packed{std::istreambuf_iterator<char>(in), {}};
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 3;
  if (packed.size() != row_bytes * static_cast<std::size_t>(height)) {
    std::fprintf(stderr, "resize_tool: %s holds %zu bytes, not %dx%dx3\n", argv[1], packed.size(),
                 width, height);
    return 1;
  }
  const std::size_t stride = row_bytes + kRowPadding;
  std::vector<std::uint8_t> padded(stride * static_cast<std::size_t>(height), 0xAB);
  for (int y = 0; y < height; ++y) {
    std::copy_n(packed.data() + y * row_bytes, row_bytes, padded.data() + y * stride);
  }
  const ImageView view{width, height, signprep::image::ChannelOrder::kRgb, padded.data(), stride};

  try {
    const signprep::image::Image out =
        mode == "area" ? signprep::image::resize_area(view, out_width, out_height)
                       : signprep::image::resize_bilinear(view, out_width, out_height);
    std::ofstream(argv[7], std::ios::binary)
        .write(reinterpret_cast<const char*>(out.pixels.data()),
               static_cast<std::streamsize>(out.pixels.size()));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "resize_tool: %s\n", error.what());
    return 1;
  }
  return 0;
}
