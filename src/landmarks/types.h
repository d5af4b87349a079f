// The values MediaPipe's graphs pass between calculators, in the same units:
// coordinates normalised to the image (x / width, y / height), rotations in
// radians with positive angles turning clockwise on screen (y points down).
#pragma once

#include <vector>

namespace signprep::landmarks {

struct Landmark {
  float x = 0, y = 0, z = 0;
  float visibility = 0;  // probability that the point is visible, after sigmoid
  float presence = 0;    // probability that the point is inside the image, after sigmoid
};

// MediaPipe's NormalizedRect: a rotated rectangle around (x_center, y_center).
struct NormalizedRect {
  float x_center = 0, y_center = 0;
  float width = 0, height = 0;
  float rotation = 0;
};

struct Point2 {
  float x = 0, y = 0;
};

// A detector's output in normalised image coordinates: the box and its
// keypoints (pose detection: hips centre, full-body size, shoulders centre,
// upper-body size).
struct Detection {
  float score = 0;
  float xmin = 0, ymin = 0, width = 0, height = 0;
  std::vector<Point2> keypoints;
};

}  // namespace signprep::landmarks
