#include "pipeline/feature_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "features/inception_v3.h"
#include "features/inception_v3_graph.h"
#include "pipeline/feature_link.h"

namespace signprep::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Without queued frames the wait only bounds a missed stop signal.
constexpr int kIdlePollMilliseconds = 1000;
constexpr int kHelloSeconds = 5;

// Test hooks (tests/features/test_iv3_run.py): the server's mechanics on a
// machine without a GPU. SIGNPREP_TEST_FEATURE_SERVER_ON_CPU=1 puts the CPU
// InceptionV3 where the GPU network would be, batch by batch;
// SIGNPREP_TEST_FEATURE_SERVER_CRASH_AFTER=N kills the server (SIGKILL) once
// it has answered N frames, as a GPU fault or the OOM killer would.
class CpuStandIn final : public nn::GpuNetwork {
 public:
  CpuStandIn(const RunOptions& options, int batch)
      : network_(features::InceptionV3::load(iv3_weights_path(options), single_frames())),
        batch_(batch),
        frames_(std::size_t(batch) * SharedSlots::kFrameBytes) {}

  int batch_size() const override { return batch_; }
  std::span<std::uint8_t> input() override { return frames_; }
  std::span<const float> run(int frames) override {
    constexpr int kSide = features::InceptionV3::kInputSide;
    for (int f = 0; f < frames; ++f) {
      network_.add({kSide, kSide, image::ChannelOrder::kRgb,
                    frames_.data() + std::size_t(f) * SharedSlots::kFrameBytes, kSide * 3});
    }
    features_ = network_.finish();
    return features_;
  }
  std::string description() const override {
    return "the CPU (test stand-in), batch " + std::to_string(batch_);
  }

 private:
  static features::InceptionV3Options single_frames() {
    features::InceptionV3Options options;
    options.batch_size = 1;
    return options;
  }
  features::InceptionV3 network_;
  int batch_;
  std::vector<std::uint8_t> frames_;
  std::vector<float> features_;
};

std::unique_ptr<nn::GpuNetwork> load_network(const RunOptions& options) {
  const char* on_cpu = std::getenv("SIGNPREP_TEST_FEATURE_SERVER_ON_CPU");
  if (on_cpu && std::string_view(on_cpu) == "1") {
    return std::make_unique<CpuStandIn>(options, options.batch_size);
  }
  return features::load_inception_v3_on_gpu(iv3_weights_path(options), *options.cuda_device,
                                            options.batch_size,
                                            gpu_precision(options.iv3_precision));
}

std::int64_t crash_after_frames() {
  const char* frames = std::getenv("SIGNPREP_TEST_FEATURE_SERVER_CRASH_AFTER");
  return frames ? std::atoll(frames) : -1;
}

}  // namespace

struct FeatureServer::Client {
  int socket = -1;
  std::optional<SharedSlots> slots;
  bool waiting = false;  // it sent kWaiting and no frame since
  ~Client() {
    if (socket >= 0) ::close(socket);
  }
};

FeatureServer::FeatureServer(const RunOptions& options, const std::string& address)
    : listener_(listen_at(address)), crash_after_frames_(crash_after_frames()) {
  network_ = load_network(options);
  stats_.device = network_->description();
  stats_.batch_size = network_->batch_size();
}

FeatureServer::~FeatureServer() {
  if (listener_ >= 0) ::close(listener_);
}

FeatureServerStats FeatureServer::serve(int supervisor_socket, const StopSignals& stop) {
  const auto start = Clock::now();
  while (!stop.requested() && take_messages(supervisor_socket)) {
    while (batch_due()) run_batch();
  }
  stats_.serving_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return stats_;
}

// Waits for messages until a batch may be due, then takes every message that
// has come (frames sent while the GPU ran fill the next batch). False when
// the supervisor has finished, or gone.
bool FeatureServer::take_messages(int supervisor_socket) {
  int timeout = kIdlePollMilliseconds;
  if (!queue_.empty()) {
    const auto due = queue_.front().since + kFlushTimeout;
    timeout = static_cast<int>(std::max<std::int64_t>(
        0, std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now()).count()));
  }
  for (;; timeout = 0) {
    std::vector<pollfd> fds = {{supervisor_socket, POLLIN, 0}, {listener_, POLLIN, 0}};
    for (const auto& client : clients_) fds.push_back({client->socket, POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), timeout);
    if (ready < 0 && errno != EINTR) {
      throw Error(ErrorKind::kDevice, std::string("feature server: poll: ") + std::strerror(errno));
    }
    if (ready <= 0) return true;
    if (fds[0].revents != 0) return false;
    if (fds[1].revents & POLLIN) accept_client();
    // Clients are dropped after the loop: the polled ones keep their places.
    std::vector<Client*> gone;
    for (std::size_t i = 2; i < fds.size(); ++i) {
      Client& client = *clients_[i - 2];
      if (fds[i].revents != 0 && !read_client(client)) gone.push_back(&client);
    }
    for (Client* client : gone) drop_client(*client);
  }
}

// Only the run's own workers are served: the same user (abstract sockets
// have no file permissions), a hello within kHelloSeconds, and shared memory
// as large as it claims (a shorter one would crash the server on access).
void FeatureServer::accept_client() {
  auto client = std::make_unique<Client>();
  client->socket = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
  if (client->socket < 0) return;
  ucred peer{};
  socklen_t length = sizeof peer;
  if (::getsockopt(client->socket, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 ||
      peer.uid != ::getuid()) {
    return;
  }
  const timeval hello_timeout{kHelloSeconds, 0};
  ::setsockopt(client->socket, SOL_SOCKET, SO_RCVTIMEO, &hello_timeout, sizeof hello_timeout);
  int fd = -1;
  const std::optional<FeaturePacket> hello = receive_packet(client->socket, &fd);
  if (!hello || hello->message != FeatureMessage::kHello || fd < 0 || hello->value == 0 ||
      !SharedSlots::holds(fd, static_cast<int>(hello->value))) {
    if (fd >= 0) ::close(fd);
    return;
  }
  const timeval no_timeout{0, 0};
  ::setsockopt(client->socket, SOL_SOCKET, SO_RCVTIMEO, &no_timeout, sizeof no_timeout);
  try {
    client->slots = SharedSlots::adopt(fd, static_cast<int>(hello->value));
  } catch (const Error&) {
    return;  // could not be mapped: that client only
  }
  if (!send_packet(client->socket,
                   {FeatureMessage::kWelcome, std::uint32_t(network_->batch_size())})) {
    return;
  }
  clients_.push_back(std::move(client));
}

bool FeatureServer::read_client(Client& client) {
  const std::optional<FeaturePacket> packet = receive_packet(client.socket);
  if (!packet) return false;
  switch (packet->message) {
    case FeatureMessage::kFrame:
      if (packet->value >= std::uint32_t(client.slots->slots())) return false;
      queue_.push_back({&client, int(packet->value), Clock::now()});
      client.waiting = false;
      return true;
    case FeatureMessage::kWaiting:
      client.waiting = true;
      return true;
    default:
      return false;
  }
}

void FeatureServer::drop_client(Client& client) {
  std::erase_if(queue_, [&](const Queued& queued) { return queued.client == &client; });
  std::erase_if(clients_, [&](const auto& owned) { return owned.get() == &client; });
}

bool FeatureServer::batch_due() const {
  if (queue_.empty()) return false;
  if (queue_.size() >= std::size_t(network_->batch_size())) return true;
  if (Clock::now() - queue_.front().since >= kFlushTimeout) return true;
  return std::any_of(queue_.begin(), queue_.end(),
                     [](const Queued& queued) { return queued.client->waiting; });
}

void FeatureServer::run_batch() {
  const int count = static_cast<int>(std::min(queue_.size(), std::size_t(network_->batch_size())));
  const std::span<std::uint8_t> input = network_->input();
  for (int i = 0; i < count; ++i) {
    const std::span<const std::uint8_t> frame = queue_[i].client->slots->frame(queue_[i].slot);
    std::copy(frame.begin(), frame.end(), input.begin() + std::size_t(i) * frame.size());
  }
  const auto start = Clock::now();
  const std::span<const float> features = network_->run(count);
  stats_.busy_seconds += std::chrono::duration<double>(Clock::now() - start).count();
  for (int i = 0; i < count; ++i) {
    const Queued& queued = queue_[i];
    const auto values =
        features.subspan(std::size_t(i) * SharedSlots::kFeatureCount, SharedSlots::kFeatureCount);
    std::copy(values.begin(), values.end(), queued.client->slots->features(queued.slot).begin());
    // A client that has gone is noticed, and dropped, at its next poll.
    send_packet(queued.client->socket, {FeatureMessage::kFeatures, std::uint32_t(queued.slot)});
  }
  queue_.erase(queue_.begin(), queue_.begin() + count);
  stats_.frames += count;
  ++stats_.batches;
  if (crash_after_frames_ >= 0 && stats_.frames >= crash_after_frames_) std::raise(SIGKILL);
}

}  // namespace signprep::pipeline
