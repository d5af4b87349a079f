#include "pipeline/feature_link.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include "core/error.h"

namespace signprep::pipeline {
namespace {

// The features follow the frame in each slot, at a 64-byte boundary.
constexpr std::size_t kFeatureOffset = (SharedSlots::kFrameBytes + 63) / 64 * 64;
constexpr std::size_t kSlotBytes = kFeatureOffset + SharedSlots::kFeatureCount * sizeof(float);

[[noreturn]] void system_failure(const std::string& what) {
  throw Error(ErrorKind::kDevice, "cannot " + what + ": " + std::strerror(errno));
}

// A socket bound to or connected to `address` by `join` (bind + listen, or
// connect).
template <typename Join>
int open_socket(const std::string& address, const char* what, Join&& join) {
  const int socket = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un name{};
  name.sun_family = AF_UNIX;
  std::memcpy(name.sun_path, address.data(), std::min(address.size(), sizeof name.sun_path));
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  if (socket < 0 || !join(socket, reinterpret_cast<const sockaddr*>(&name), length)) {
    const std::string reason = std::strerror(errno);
    if (socket >= 0) ::close(socket);
    throw Error(ErrorKind::kDevice, std::string("cannot ") + what + ": " + reason);
  }
  return socket;
}

}  // namespace

std::string feature_server_address(pid_t supervisor, int device) {
  return std::string(1, '\0') + "signprep-" + std::to_string(supervisor) + "-features-cuda" +
         std::to_string(device);
}

int listen_at(const std::string& address) {
  return open_socket(address, "open the feature server's socket",
                     [](int socket, const sockaddr* name, socklen_t length) {
                       return ::bind(socket, name, length) == 0 && ::listen(socket, SOMAXCONN) == 0;
                     });
}

int connect_to(const std::string& address) {
  return open_socket(address, "reach the run's feature server",
                     [](int socket, const sockaddr* name, socklen_t length) {
                       return ::connect(socket, name, length) == 0;
                     });
}

bool send_packet(int socket, FeaturePacket packet, int fd) {
  iovec data{&packet, sizeof packet};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
  }
  for (;;) {
    const ssize_t sent = ::sendmsg(socket, &message, MSG_NOSIGNAL);
    if (sent == static_cast<ssize_t>(sizeof packet)) return true;
    if (sent < 0 && errno == EINTR) continue;
    return false;
  }
}

std::optional<FeaturePacket> receive_packet(int socket, int* fd) {
  FeaturePacket packet{};
  iovec data{&packet, sizeof packet};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t got;
  while ((got = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (fd) *fd = -1;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
      int received = -1;
      std::memcpy(&received, CMSG_DATA(header), sizeof received);
      if (fd) {
        *fd = received;
      } else {
        ::close(received);
      }
    }
  }
  if (got != static_cast<ssize_t>(sizeof packet)) return std::nullopt;
  return packet;
}

SharedSlots SharedSlots::create(int slots) {
  const int fd = ::memfd_create("signprep-frames", MFD_CLOEXEC);
  if (fd < 0) system_failure("create shared memory for the frames");
  if (::ftruncate(fd, static_cast<off_t>(kSlotBytes * slots)) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    system_failure("size shared memory for the frames");
  }
  return SharedSlots(fd, slots);
}

SharedSlots SharedSlots::adopt(int fd, int slots) {
  return SharedSlots(fd, slots);
}

bool SharedSlots::holds(int fd, int slots) {
  struct stat file {};
  return ::fstat(fd, &file) == 0 && std::size_t(file.st_size) >= kSlotBytes * std::size_t(slots);
}

SharedSlots::SharedSlots(int fd, int slots) : fd_(fd), slots_(slots) {
  void* base = ::mmap(nullptr, kSlotBytes * slots, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    const int error = errno;
    ::close(fd);
    errno = error;
    system_failure("map shared memory for the frames");
  }
  base_ = static_cast<std::uint8_t*>(base);
}

SharedSlots::SharedSlots(SharedSlots&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      slots_(std::exchange(other.slots_, 0)),
      base_(std::exchange(other.base_, nullptr)) {}

SharedSlots& SharedSlots::operator=(SharedSlots&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    slots_ = std::exchange(other.slots_, 0);
    base_ = std::exchange(other.base_, nullptr);
  }
  return *this;
}

SharedSlots::~SharedSlots() {
  release();
}

void SharedSlots::release() {
  if (base_) ::munmap(base_, kSlotBytes * slots_);
  if (fd_ >= 0) ::close(fd_);
  base_ = nullptr;
  fd_ = -1;
}

std::span<std::uint8_t> SharedSlots::frame(int slot) const {
  return {base_ + kSlotBytes * slot, kFrameBytes};
}

std::span<float> SharedSlots::features(int slot) const {
  return {reinterpret_cast<float*>(base_ + kSlotBytes * slot + kFeatureOffset), kFeatureCount};
}

}  // namespace signprep::pipeline
