#include "pipeline/feature_client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/error.h"
#include "features/inception_v3.h"
#include "image/resize.h"

namespace signprep::pipeline {

FeatureClient::FeatureClient(const std::string& address, int slots)
    : slots_(SharedSlots::create(slots)), socket_(connect_to(address)) {
  if (!send_packet(socket_, {FeatureMessage::kHello, std::uint32_t(slots)}, slots_.fd())) {
    server_gone();
  }
  const std::optional<FeaturePacket> welcome = receive_packet(socket_);
  if (!welcome || welcome->message != FeatureMessage::kWelcome) server_gone();
  for (int slot = slots - 1; slot >= 0; --slot) free_.push_back(slot);
}

FeatureClient::~FeatureClient() {
  if (socket_ >= 0) ::close(socket_);
}

void FeatureClient::add(const image::ImageView& frame) {
  constexpr int kSide = features::InceptionV3::kInputSide;
  const image::Image resized = image::resize_bilinear(frame, kSide, kSide);
  while (free_.empty()) take_answer(true);
  const int slot = free_.back();
  free_.pop_back();
  std::copy(resized.pixels.begin(), resized.pixels.end(), slots_.frame(slot).begin());
  if (!send_packet(socket_, {FeatureMessage::kFrame, std::uint32_t(slot)})) server_gone();
  in_flight_.push_back(slot);
  waiting_sent_ = false;
}

std::vector<float> FeatureClient::finish() {
  while (!in_flight_.empty()) take_answer(true);
  return std::exchange(features_, {});
}

void FeatureClient::clear() {
  while (!in_flight_.empty()) take_answer(false);
  features_.clear();
}

// Telling the server that we wait lets it run the queued frames at once,
// without waiting for a full batch or its flush timeout.
void FeatureClient::take_answer(bool keep) {
  if (!waiting_sent_) {
    if (!send_packet(socket_, {FeatureMessage::kWaiting, 0})) server_gone();
    waiting_sent_ = true;
  }
  const std::optional<FeaturePacket> answer = receive_packet(socket_);
  if (!answer || answer->message != FeatureMessage::kFeatures ||
      answer->value != std::uint32_t(in_flight_.front())) {
    server_gone();
  }
  const int slot = in_flight_.front();
  in_flight_.pop_front();
  if (keep) {
    const std::span<const float> values = slots_.features(slot);
    features_.insert(features_.end(), values.begin(), values.end());
  }
  free_.push_back(slot);
}

void FeatureClient::server_gone() const {
  throw Error(ErrorKind::kDevice,
              "the run's feature server stopped answering: this clip's features are lost "
              "(--resume redoes it)");
}

}  // namespace signprep::pipeline
