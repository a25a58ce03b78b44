// Clocks: wall-clock "now" (Clock) and monotonic time with sleeping (MonotonicClock),
// injected from main so tests can freeze or warp time.
#pragma once

#include <errno.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>

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

// CLOCK_MONOTONIC time (the clock GPIO edge timestamps use) and sleeping: for
// debouncing, hardware delays and time-outs.
class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  [[nodiscard]] virtual std::chrono::nanoseconds now() const = 0;
  virtual void sleepFor(std::chrono::nanoseconds d) = 0;
};

class SteadyClock final : public MonotonicClock {
 public:
  [[nodiscard]] std::chrono::nanoseconds now() const override {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec};
  }
  void sleepFor(std::chrono::nanoseconds d) override {
    if (d <= std::chrono::nanoseconds::zero()) return;  // nanosleep refuses a negative time
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(d);
    // time_t is 32 bits on armhf (bookworm): clamp a (never that long) sleep rather than wrap.
    const auto secs =
        std::min<std::chrono::seconds::rep>(s.count(), std::numeric_limits<time_t>::max());
    timespec ts{static_cast<time_t>(secs), static_cast<long>((d - s).count())};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }
};

// Monotonic time that only moves when told to; sleeping advances it at once
// (and calls `onSleep`, so a simulated device can react to the passing time).
class FakeMonotonicClock final : public MonotonicClock {
 public:
  explicit FakeMonotonicClock(std::chrono::nanoseconds start = std::chrono::seconds{1000})
      : now_(start) {}
  [[nodiscard]] std::chrono::nanoseconds now() const override { return now_; }
  void sleepFor(std::chrono::nanoseconds d) override {
    now_ += d;
    slept_ += d;
    if (onSleep) onSleep(now_);
  }
  void advance(std::chrono::nanoseconds d) { now_ += d; }
  [[nodiscard]] std::chrono::nanoseconds slept() const { return slept_; }
  std::function<void(std::chrono::nanoseconds)> onSleep;

 private:
  std::chrono::nanoseconds now_;
  std::chrono::nanoseconds slept_{};
};

}  // namespace cb::hal
