// What the workers and the feature server share (private to pipeline/):
// the server's address, its messages, and the shared memory a worker's
// frames and features pass through.
//
// A worker connects to the server's Unix socket (SOCK_SEQPACKET: each send
// is one message) and hands it a memfd of `slots` frame slots with its
// hello. Frames go into a slot (299x299x3 bytes) and the slot's number over
// the socket; the server answers with the same number once the slot's 2048
// features are written beside the frame. Pixels never pass through the
// socket.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace signprep::pipeline {

// The server of the run started by `supervisor` for a CUDA device: a name in
// Linux's abstract socket namespace, gone with the socket.
std::string feature_server_address(pid_t supervisor, int device);

// A SOCK_SEQPACKET Unix socket listening at, or connected to, `address`;
// throws Error(kDevice) naming `what` and the system's reason.
int listen_at(const std::string& address);
int connect_to(const std::string& address);

enum class FeatureMessage : std::uint32_t {
  kHello = 1,  // worker -> server, with the memfd; value: slots
  kWelcome,    // server -> worker; value: the server's batch size
  kFrame,      // worker -> server; value: slot holding a frame
  kWaiting,    // worker -> server: it needs answers before it can send more
  kFeatures,   // server -> worker; value: slot whose features are ready
};

struct FeaturePacket {
  FeatureMessage message;
  std::uint32_t value = 0;
};

// One packet, with a descriptor passed along (SCM_RIGHTS) when `fd` >= 0.
// False when the peer has gone.
bool send_packet(int socket, FeaturePacket packet, int fd = -1);
// The next packet (and a descriptor that came with it, else -1); nothing
// when the peer has gone or sent something malformed. Retries on EINTR.
std::optional<FeaturePacket> receive_packet(int socket, int* fd = nullptr);

// A memfd mapped shared: per slot one frame (uint8, 299x299x3) and its
// features (float32, 2048).
class SharedSlots {
 public:
  static constexpr std::size_t kFrameBytes = std::size_t{299} * 299 * 3;
  static constexpr std::size_t kFeatureCount = 2048;

  // A new memfd of `slots` slots (the worker's side).
  static SharedSlots create(int slots);
  // The worker's memfd, received by the server; takes the descriptor.
  static SharedSlots adopt(int fd, int slots);
  // Whether the file behind `fd` is large enough for `slots` slots.
  static bool holds(int fd, int slots);

  SharedSlots(SharedSlots&& other) noexcept;
  SharedSlots& operator=(SharedSlots&& other) noexcept;
  ~SharedSlots();

  int fd() const { return fd_; }
  int slots() const { return slots_; }
  std::span<std::uint8_t> frame(int slot) const;
  std::span<float> features(int slot) const;

 private:
  SharedSlots(int fd, int slots);
  void release();
  int fd_ = -1;
  int slots_ = 0;
  std::uint8_t* base_ = nullptr;
};

}  // namespace signprep::pipeline
