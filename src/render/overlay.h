// Draws one frame's 78 keypoints with Cairo: bones and points, a colour per
// block (pose, left hand, right hand, face), points present but not visible
// hollow and grey, and a caption (time, occlusion flag) in the top-left
// corner. Private to render/.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <span>
#include <string>

namespace signprep::render {

struct FrameKeypoints {
  std::span<const float> xy;              // 156: (x, y) per keypoint, normalised
  std::span<const std::uint8_t> visible;  // 78
};

// The box the frame occupies on the surface, in pixels.
struct Box {
  double x = 0, y = 0, width = 0, height = 0;
};

void draw_keypoints(cairo_t* cr, const Box& box, const FrameKeypoints& frame);
void draw_caption(cairo_t* cr, const Box& box, const std::string& text);

}  // namespace signprep::render
