// GPIO lines behind small interfaces: outputs/inputs for the e-ink panel, edge events for
// the button. Real lines come from libgpiod v1 (hal/gpiod_lines.hpp); tests use fakes.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace cb::hal {

// One requested line (output or input).
class GpioLine {
 public:
  virtual ~GpioLine() = default;
  [[nodiscard]] virtual int set(bool high) = 0;  // 0 or -errno (outputs only)
  [[nodiscard]] virtual int get() = 0;           // 0/1 or -errno
};

struct Edge {
  bool rising = false;
  std::chrono::nanoseconds time{};  // CLOCK_MONOTONIC, as the kernel stamps it
};

// An input line requested for both edges; its fd polls readable when edges are queued.
class EdgeLine {
 public:
  virtual ~EdgeLine() = default;
  [[nodiscard]] virtual int fd() const = 0;
  // Appends the queued edges (oldest first) without blocking; 0 or -errno.
  [[nodiscard]] virtual int readEdges(std::vector<Edge>& out) = 0;
  [[nodiscard]] virtual int value() = 0;  // the current level, 0/1 or -errno
  [[nodiscard]] virtual std::string describe() const = 0;
};

enum class Bias { AsIs, PullUp, PullDown, Disable };

}  // namespace cb::hal
