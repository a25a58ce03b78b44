// Fake GPIO lines for tests: an edge line whose edges (and bounces) the test scripts,
// with a real eventfd so the event loop can poll it.
#pragma once

#include <deque>
#include <string>

#include "hal/gpio.hpp"

namespace cb::hal {

class FakeEdgeLine final : public EdgeLine {
 public:
  explicit FakeEdgeLine(int initialLevel = 1);
  ~FakeEdgeLine() override;
  FakeEdgeLine(const FakeEdgeLine&) = delete;
  FakeEdgeLine& operator=(const FakeEdgeLine&) = delete;

  // Queues an edge to `level` at monotonic time `at` and makes fd() readable.
  void edge(int level, std::chrono::nanoseconds at);
  // A run of bounces: alternating edges `gap` apart starting at `at`, ending on `level`.
  void bounce(int level, std::chrono::nanoseconds at, int edges, std::chrono::nanoseconds gap);
  void failNextRead(int err) { failure_ = err; }

  int fd() const override { return fd_; }
  int readEdges(std::vector<Edge>& out) override;
  int value() override { return level_; }
  std::string describe() const override { return "fake line"; }

 private:
  int fd_ = -1;
  int level_;
  int failure_ = 0;
  std::deque<Edge> queue_;
};

}  // namespace cb::hal
