// The run's feature server (--device cuda): one process that owns
// InceptionV3 on the GPU and fills its batches with the frames of every
// worker (pipeline/feature_client.h), so that batches cross clips and the
// GPU holds one model, not one per worker.
//
// Single-threaded: it waits on its sockets, queues each worker's frames in
// arrival order, and runs a batch when `batch_size` frames wait, at once when
// a worker with frames in the queue waits for answers (its clip has ended,
// or all its slots are in flight), or when the oldest has waited
// kFlushTimeout. Workers that are tracking keypoints send a frame every few
// tens of milliseconds and need no answer until their clip ends: a longer
// wait fills batches that a GPU computes whole anyway. A worker's frames are answered in the order
// it sent them. A worker that disconnects loses its queued frames; the server goes on.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/gpu_network.h"
#include "pipeline/run_options.h"
#include "pipeline/stop_signals.h"

namespace signprep::pipeline {

inline constexpr std::chrono::milliseconds kFlushTimeout{100};

struct FeatureServerStats {
  std::string device;        // GpuNetwork::description()
  std::int64_t frames = 0;   // answered
  std::int64_t batches = 0;  // network runs
  int batch_size = 0;
  double busy_seconds = 0;     // in network runs (upload, GPU, download)
  double serving_seconds = 0;  // from ready to the end
};

class FeatureServer {
 public:
  // Listens at `address` and loads the network on options.cuda_device.
  // Throws Error(kDevice) (no GPU, out of memory, ...), Error(kModel) (bad
  // weights), as InceptionV3::load does.
  FeatureServer(const RunOptions& options, const std::string& address);
  FeatureServer(const FeatureServer&) = delete;
  FeatureServer& operator=(const FeatureServer&) = delete;
  ~FeatureServer();

  // Serves until `supervisor_socket` reaches its end or a stop is requested.
  // Throws Error(kDevice) when the GPU fails mid-run.
  FeatureServerStats serve(int supervisor_socket, const StopSignals& stop);

 private:
  struct Client;
  struct Queued {
    Client* client;
    int slot;
    std::chrono::steady_clock::time_point since;
  };

  bool take_messages(int supervisor_socket);
  void accept_client();
  // False when the client has gone (or broke the protocol).
  bool read_client(Client& client);
  void drop_client(Client& client);
  bool batch_due() const;
  void run_batch();

  int listener_ = -1;
  std::unique_ptr<nn::GpuNetwork> network_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<Queued> queue_;
  FeatureServerStats stats_;
  std::int64_t crash_after_frames_ = -1;  // a test hook (feature_server.cpp)
};

}  // namespace signprep::pipeline
