// Button debouncing on edge timestamps, long presses on time.
#include "hal/button.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "calendarbot_config.h"
#include "hal/log.hpp"
#if CB_HAVE_GPIO
#include "hal/gpiod_lines.hpp"
#endif

namespace cb::hal {

using std::chrono::nanoseconds;

Button::Button(std::unique_ptr<EdgeLine> line, const ButtonConfig& config, MonotonicClock& clock)
    : line_(std::move(line)),
      clock_(clock),
      debounce_(std::chrono::milliseconds{config.debounceMs}),
      longPress_(std::chrono::milliseconds{config.longPressMs}),
      doublePress_(std::chrono::milliseconds{config.doublePressMs}),
      activeLow_(config.activeLow) {
  const int level = line_->value();
  raw_ = stable_ = level >= 0 && (level == 0) == activeLow_;
  rawSince_ = pressedAt_ = clock_.now();
  longFired_ = stable_;  // held at start: not a press of ours
}

std::unique_ptr<Button> Button::create(const ButtonConfig& config, MonotonicClock& clock,
                                       std::string& error) {
#if CB_HAVE_GPIO
  Bias bias = Bias::PullUp;
  if (config.bias == "pull-down")
    bias = Bias::PullDown;
  else if (config.bias == "disable")
    bias = Bias::Disable;
  else if (config.bias == "as-is")
    bias = Bias::AsIs;
  auto line = openEdgeLine(config.chip, config.line, bias, error);
  if (!line) return nullptr;
  return std::make_unique<Button>(std::move(line), config, clock);
#else
  (void)config;
  (void)clock;
  error = "button: this build has no GPIO support (meson -Dgpio=enabled)";
  return nullptr;
#endif
}

void Button::settle(nanoseconds t, std::vector<ButtonEvent>& events) {
  // A long press completes at its own time, before whatever happens later; a
  // pending release (raw_ != stable_) ended the hold when it began.
  const nanoseconds heldUntil = raw_ != stable_ ? std::min(t, rawSince_) : t;
  if (stable_ && !longFired_ && heldUntil - pressedAt_ >= longPress_) {
    events.push_back(ButtonEvent::LongPress);
    longFired_ = true;
    shortReleasedAt_.reset();
  }
  if (raw_ == stable_ || t - rawSince_ < debounce_) return;
  stable_ = raw_;
  if (stable_) {
    pressedAt_ = rawSince_;
    longFired_ = false;
    // Held past the long-press time already (the loop was busy): decide now.
    if (t - pressedAt_ >= longPress_) {
      events.push_back(ButtonEvent::LongPress);
      longFired_ = true;
      shortReleasedAt_.reset();
    }
  } else if (!longFired_) {
    if (shortReleasedAt_ && pressedAt_ - *shortReleasedAt_ <= doublePress_) {
      events.push_back(ButtonEvent::DoublePress);
      shortReleasedAt_.reset();  // a third press starts over
    } else {
      events.push_back(ButtonEvent::ShortPress);
      shortReleasedAt_ = rawSince_;
    }
  }
}

int Button::process(std::vector<ButtonEvent>& events) {
  edges_.clear();
  const int rc = line_->readEdges(edges_);
  if (rc < 0 && !readFailed_) {
    logMessage(LogLevel::Error,
               fmt::format("button {}: reading edges: {}", line_->describe(), std::strerror(-rc)));
  }
  readFailed_ = rc < 0;
  const nanoseconds now = clock_.now();
  for (const Edge& e : edges_) {
    // Kernels before 5.7 stamp edges with CLOCK_REALTIME: fall back to "now".
    nanoseconds t = e.time;
    if (t > now + std::chrono::seconds{10} || t < now - std::chrono::seconds{10}) t = now;
    if (t < rawSince_) t = rawSince_;
    settle(t, events);
    const bool pressedNow = e.rising != activeLow_;  // active low: pressed after a falling edge
    if (pressedNow != raw_) {
      raw_ = pressedNow;
      rawSince_ = t;
    }
  }
  settle(now, events);
  return rc < 0 ? rc : 0;
}

int Button::timeoutMs() const {
  const nanoseconds now = clock_.now();
  nanoseconds next = nanoseconds::max();
  if (raw_ != stable_) next = std::min(next, rawSince_ + debounce_ - now);
  if (stable_ && !longFired_) next = std::min(next, pressedAt_ + longPress_ - now);
  if (next == nanoseconds::max()) return -1;
  if (next <= nanoseconds::zero()) return 0;
  // Round up: waking a little early would only spin.
  return int((next.count() + 999'999) / 1'000'000);
}

}  // namespace cb::hal
