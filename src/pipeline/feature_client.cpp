#include "pipeline/feature_client.h"

#include <sys/socket.h>
#include <sys/un.h>
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
    : slots_(SharedSlots::create(slots)) {
  socket_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un name{};
  name.sun_family = AF_UNIX;
  std::memcpy(name.sun_path, address.data(), std::min(address.size(), sizeof name.sun_path));
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  if (socket_ < 0 || ::connect(socket_, reinterpret_cast<sockaddr*>(&name), length) != 0) {
    const std::string reason = std::strerror(errno);
    if (socket_ >= 0) ::close(socket_);
    throw Error(ErrorKind::kDevice, "cannot reach the run's feature server: " + reason);
  }
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
  const std::span<std::uint8_t> pixels = slots_.frame(slot);
  for (int y = 0; y < kSide; ++y) {
    std::copy_n(resized.view().row(y), kSide * 3, pixels.begin() + std::size_t(y) * kSide * 3);
  }
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

// Telling the server that we wait lets it run a partial batch at once when
// every worker waits, instead of after its flush timeout.
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
