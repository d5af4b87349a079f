#include "render/overlay.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "features/keypoints.h"

namespace signprep::render {
namespace {

using Bone = std::pair<int, int>;

// MediaPipe's POSE_CONNECTIONS: the first 25 among landmarks 0..24 (the 78
// points' pose block: face, arms, hands' pose points, hips), then the legs.
constexpr std::array<Bone, 35> kPoseBones = {
    {{0, 1},   {1, 2},   {2, 3},   {3, 7},   {0, 4},   {4, 5},   {5, 6},   {6, 8},   {9, 10},
     {11, 12}, {11, 13}, {13, 15}, {15, 17}, {15, 19}, {15, 21}, {17, 19}, {12, 14}, {14, 16},
     {16, 18}, {16, 20}, {16, 22}, {18, 20}, {11, 23}, {12, 24}, {23, 24}, {23, 25}, {24, 26},
     {25, 27}, {26, 28}, {27, 29}, {28, 30}, {29, 31}, {30, 32}, {27, 31}, {28, 32}}};
constexpr std::size_t kUpperBodyBones = 25;

// MediaPipe's HAND_CONNECTIONS: palm and the four joints of each finger.
constexpr std::array<Bone, 21> kHandBones = {
    {{0, 1},   {1, 2},   {2, 3},   {3, 4},   {0, 5},   {5, 6},   {6, 7},
     {7, 8},   {5, 9},   {9, 10},  {10, 11}, {11, 12}, {9, 13},  {13, 14},
     {14, 15}, {15, 16}, {13, 17}, {0, 17},  {17, 18}, {18, 19}, {19, 20}}};

struct Colour {
  double r, g, b;
};

// Pose cyan, left hand orange, right hand green, face magenta: apart from
// each other and from skin and most clothing.
constexpr Colour kPoseColour = {0.15, 0.80, 1.00};
constexpr Colour kLeftHandColour = {1.00, 0.60, 0.10};
constexpr Colour kRightHandColour = {0.40, 1.00, 0.30};
constexpr Colour kFaceColour = {1.00, 0.30, 0.75};
constexpr Colour kNotVisible = {0.6, 0.6, 0.6};

// The pose's visibility threshold for drawing a point filled (the Python
// tool's default conf_thresh).
constexpr float kVisible = 0.5f;

struct Point {
  double x, y;
  bool visible;
  bool present;  // a missing block's points are zeros or NaN: nothing to draw
};

Point point(const Box& box, float x, float y, bool visible) {
  const bool present = std::isfinite(x) && std::isfinite(y) && (x != 0 || y != 0);
  return {box.x + x * box.width, box.y + y * box.height, visible, present};
}

void set_colour(cairo_t* cr, const Colour& c, double alpha = 1) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

// Sizes follow the box, so a contact sheet's small tiles stay readable.
struct Pen {
  double line, radius;
  explicit Pen(const Box& box)
      : line(std::max(1.0, box.width / 320)), radius(std::max(1.5, box.width / 220)) {}
};

// `points` is empty for a block not found in the frame.
void draw_block(cairo_t* cr, const std::vector<Point>& points, std::span<const Bone> bones,
                const Colour& colour, const Pen& pen) {
  if (points.empty()) return;
  for (const auto& [a, b] : bones) {
    const Point& p = points[a];
    const Point& q = points[b];
    if (!p.present || !q.present) continue;
    const bool both = p.visible && q.visible;
    set_colour(cr, both ? colour : kNotVisible, both ? 0.9 : 0.5);
    cairo_move_to(cr, p.x, p.y);
    cairo_line_to(cr, q.x, q.y);
    cairo_stroke(cr);
  }
  for (const Point& p : points) {
    if (!p.present) continue;
    cairo_new_sub_path(cr);
    cairo_arc(cr, p.x, p.y, pen.radius, 0, 2 * M_PI);
    if (p.visible) {
      set_colour(cr, colour);
      cairo_fill(cr);
    } else {
      set_colour(cr, kNotVisible);
      cairo_stroke(cr);
    }
  }
}

// Clipped to the box, round line caps, the pen's width.
template <typename Draw>
void within(cairo_t* cr, const Box& box, const Pen& pen, Draw draw) {
  cairo_save(cr);
  cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_clip(cr);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width(cr, pen.line);
  draw();
  cairo_restore(cr);
}

// A block's points from `values` (`width` floats per point, x and y first;
// visibility 4th when `width` is 4), all of them visible otherwise.
std::vector<Point> block_points(const Box& box, std::span<const float> values, std::size_t width) {
  std::vector<Point> points;
  for (std::size_t i = 0; i + width <= values.size(); i += width) {
    const bool visible = width < 4 || values[i + 3] >= kVisible;
    points.push_back(point(box, values[i], values[i + 1], visible));
  }
  return points;
}

}  // namespace

void draw_keypoints(cairo_t* cr, const Box& box, const FrameKeypoints& frame) {
  struct Block {
    int begin, count;
    std::span<const Bone> bones;
    Colour colour;
  };
  const std::array<Block, 4> blocks = {{
      {features::kPoseBegin, features::kPosePoints, std::span(kPoseBones).first(kUpperBodyBones),
       kPoseColour},
      {features::kLeftHandBegin, features::kHandPoints, kHandBones, kLeftHandColour},
      {features::kRightHandBegin, features::kHandPoints, kHandBones, kRightHandColour},
      {features::kFaceBegin, features::kFacePoints, {}, kFaceColour},
  }};
  const Pen pen(box);
  within(cr, box, pen, [&] {
    for (const Block& block : blocks) {
      std::vector<Point> points;
      for (int k = block.begin; k < block.begin + block.count; ++k) {
        points.push_back(point(box, frame.xy[2 * k], frame.xy[2 * k + 1], frame.visible[k] != 0));
      }
      draw_block(cr, points, block.bones, block.colour, pen);
    }
  });
}

void draw_landmarks(cairo_t* cr, const Box& box, const FrameLandmarks& frame) {
  const Pen pen(box);
  Pen face_pen = pen;  // 478 points: dots small enough to show the mesh's shape
  face_pen.radius = std::max(0.9, pen.radius / 2);
  within(cr, box, pen, [&] {
    draw_block(cr, block_points(box, frame.face, 3), {}, kFaceColour, face_pen);
    draw_block(cr, block_points(box, frame.pose, 4), kPoseBones, kPoseColour, pen);
    draw_block(cr, block_points(box, frame.left_hand, 3), kHandBones, kLeftHandColour, pen);
    draw_block(cr, block_points(box, frame.right_hand, 3), kHandBones, kRightHandColour, pen);
  });
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
