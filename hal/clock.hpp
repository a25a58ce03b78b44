// Clock: the one source of "now", injected from main so tests can freeze or warp time.
#pragma once

#include <chrono>

namespace cb::hal {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::chrono::sys_seconds now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::sys_seconds now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// A clock that stands still until the test moves it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::sys_seconds t) : now_(t) {}
  [[nodiscard]] std::chrono::sys_seconds now() const override { return now_; }
  void set(std::chrono::sys_seconds t) { now_ = t; }
  void advance(std::chrono::seconds d) { now_ += d; }

 private:
  std::chrono::sys_seconds now_;
};

}  // namespace cb::hal
