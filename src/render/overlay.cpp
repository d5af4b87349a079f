#include "render/overlay.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "features/keypoints.h"

namespace signprep::render {
namespace {

using Bone = std::pair<int, int>;

// MediaPipe's POSE_CONNECTIONS among landmarks 0..24 (the file's pose block:
// face, arms, hands' pose points, hips).
constexpr std::array<Bone, 25> kPoseBones = {
    {{0, 1},   {1, 2},   {2, 3},   {3, 7},   {0, 4},   {4, 5},   {5, 6},   {6, 8},   {9, 10},
     {11, 12}, {11, 13}, {13, 15}, {15, 17}, {15, 19}, {15, 21}, {17, 19}, {12, 14}, {14, 16},
     {16, 18}, {16, 20}, {16, 22}, {18, 20}, {11, 23}, {12, 24}, {23, 24}}};

// MediaPipe's HAND_CONNECTIONS: palm and the four joints of each finger.
constexpr std::array<Bone, 21> kHandBones = {
    {{0, 1},   {1, 2},   {2, 3},   {3, 4},   {0, 5},   {5, 6},   {6, 7},
     {7, 8},   {5, 9},   {9, 10},  {10, 11}, {11, 12}, {9, 13},  {13, 14},
     {14, 15}, {15, 16}, {13, 17}, {0, 17},  {17, 18}, {18, 19}, {19, 20}}};

struct Colour {
  double r, g, b;
};

struct Block {
  int begin;
  int count;
  std::span<const Bone> bones;
  Colour colour;
};

// Pose cyan, left hand orange, right hand green, face magenta: apart from
// each other and from skin and most clothing.
const std::array<Block, 4> kBlocks = {{
    {features::kPoseBegin, features::kPosePoints, kPoseBones, {0.15, 0.80, 1.00}},
    {features::kLeftHandBegin, features::kHandPoints, kHandBones, {1.00, 0.60, 0.10}},
    {features::kRightHandBegin, features::kHandPoints, kHandBones, {0.40, 1.00, 0.30}},
    {features::kFaceBegin, features::kFacePoints, {}, {1.00, 0.30, 0.75}},
}};

constexpr Colour kNotVisible = {0.6, 0.6, 0.6};

struct Point {
  double x, y;
  bool visible;
  bool present;  // a missing block's points are zeros: nothing to draw
};

Point point(const Box& box, const FrameKeypoints& frame, int k) {
  const float x = frame.xy[2 * k];
  const float y = frame.xy[2 * k + 1];
  const bool present = std::isfinite(x) && std::isfinite(y) && (x != 0 || y != 0);
  return {box.x + x * box.width, box.y + y * box.height, frame.visible[k] != 0, present};
}

void set_colour(cairo_t* cr, const Colour& c, double alpha = 1) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

}  // namespace

void draw_keypoints(cairo_t* cr, const Box& box, const FrameKeypoints& frame) {
  // Sizes follow the box, so a contact sheet's small tiles stay readable.
  const double line = std::max(1.0, box.width / 320);
  const double radius = std::max(1.5, box.width / 220);
  cairo_save(cr);
  cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_clip(cr);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width(cr, line);
  for (const Block& block : kBlocks) {
    for (const auto& [a, b] : block.bones) {
      const Point p = point(box, frame, block.begin + a);
      const Point q = point(box, frame, block.begin + b);
      if (!p.present || !q.present) continue;
      const bool both = p.visible && q.visible;
      set_colour(cr, both ? block.colour : kNotVisible, both ? 0.9 : 0.5);
      cairo_move_to(cr, p.x, p.y);
      cairo_line_to(cr, q.x, q.y);
      cairo_stroke(cr);
    }
    for (int k = 0; k < block.count; ++k) {
      const Point p = point(box, frame, block.begin + k);
      if (!p.present) continue;
      cairo_new_sub_path(cr);
      cairo_arc(cr, p.x, p.y, radius, 0, 2 * M_PI);
      if (p.visible) {
        set_colour(cr, block.colour);
        cairo_fill(cr);
      } else {
        set_colour(cr, kNotVisible);
        cairo_stroke(cr);
      }
    }
  }
  cairo_restore(cr);
}

void draw_caption(cairo_t* cr, const Box& box, const std::string& text) {
  const double size = std::clamp(box.width / 28, 9.0, 22.0);
  cairo_save(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  const double pad = size / 3;
  cairo_rectangle(cr, box.x, box.y, extents.x_advance + 2 * pad, size + 2 * pad);
  cairo_set_source_rgba(cr, 0, 0, 0, 0.6);
  cairo_fill(cr);
  cairo_move_to(cr, box.x + pad, box.y + pad + size * 0.85);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

}  // namespace signprep::render
