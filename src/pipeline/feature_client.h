// A worker's InceptionV3 when the run has a feature server (--device cuda):
// frames are resized here, written into shared memory and queued at the
// server, which batches them with the other workers' frames on the GPU.
// Frames of a clip come back in the order they were added.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "features/frame_features.h"
#include "pipeline/feature_link.h"

namespace signprep::pipeline {

class FeatureClient final : public features::FrameFeatures {
 public:
  // Connects to the server at `address` with `slots` frames in flight at
  // most. Throws Error(kDevice) when the server cannot be reached.
  FeatureClient(const std::string& address, int slots);
  FeatureClient(const FeatureClient&) = delete;
  FeatureClient& operator=(const FeatureClient&) = delete;
  ~FeatureClient() override;

  // These throw Error(kDevice) once the server has gone: that clip's
  // features are lost, and the client is of no further use.
  void add(const image::ImageView& frame) override;
  std::vector<float> finish() override;
  void clear() override;

 private:
  // Blocks for the server's next answer and keeps (or drops) its features.
  void take_answer(bool keep);
  [[noreturn]] void server_gone() const;

  SharedSlots slots_;  // before the socket: made first, so a failed connect leaks nothing
  int socket_ = -1;
  std::vector<int> free_;      // slots not in flight
  std::deque<int> in_flight_;  // in the order sent, which is the order answered
  bool waiting_sent_ = false;  // told the server we wait, since our last frame
  std::vector<float> features_;
};

}  // namespace signprep::pipeline
