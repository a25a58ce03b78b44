// Button: a GPIO push button turned into debounced short and long presses for the event loop.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hal/clock.hpp"
#include "hal/gpio.hpp"

namespace cb::hal {

// [button] in the config.
struct ButtonConfig {
  std::string chip = "gpiochip0";  // name, path, number or label of the GPIO chip
  int line = 26;                   // line offset (BCM number on a Pi)
  int debounceMs = 30;             // a level must hold this long to count
  int longPressMs = 2000;          // held this long: a long press
  int doublePressMs = 400;       // a second short press starting this soon: a double press (0: off)
  bool activeLow = true;         // pressed pulls the line to ground (with the pull-up)
  std::string bias = "pull-up";  // pull-up | pull-down | disable | as-is
  bool operator==(const ButtonConfig&) const = default;
};

enum class ButtonEvent {
  ShortPress,   // released before long_press_ms: show the next layout
  LongPress,    // held for long_press_ms (fires while still held): refresh all feeds now
                // and invalidate() the display (a full e-ink refresh)
  DoublePress,  // a short press starting within double_press_ms of a short press's release,
                // reported on its release instead of a second ShortPress: skip the meeting
                // the countdown serves. The first press has already fired ShortPress (a
                // press is never held back waiting for a second one), so the loop undoes it.
};

// How the event loop drives it (single-threaded, nothing blocks):
//
//   pollfd{button.fd(), POLLIN}  joins the poll set, and
//   button.timeoutMs()           bounds the poll timeout (-1: no deadline), then
//   button.process(events)       is called after EVERY poll return — readable or not —
//                                because debouncing and long presses complete on time,
//                                not on edges.
//
// Debouncing: a level counts once it has held for debounce_ms (measured on the
// kernel's edge timestamps), so bounces and glitches shorter than that vanish. A
// press fires ShortPress on its release, or LongPress once held for long_press_ms
// (then nothing on release); a short press that starts within double_press_ms of
// the previous short press's release fires DoublePress instead. A button already
// held when the daemon starts is ignored until released.
class Button {
 public:
  Button(std::unique_ptr<EdgeLine> line, const ButtonConfig& config, MonotonicClock& clock);
  // Requests the line through libgpiod (both edges, the configured bias where the
  // kernel supports it). nullptr with `error` set; without GPIO support in the
  // build, always nullptr.
  [[nodiscard]] static std::unique_ptr<Button> create(const ButtonConfig& config,
                                                      MonotonicClock& clock, std::string& error);

  [[nodiscard]] int fd() const { return line_->fd(); }
  // Milliseconds until process() has something to decide without a new edge; -1: none.
  [[nodiscard]] int timeoutMs() const;
  // Reads the queued edges and appends what they mean to `events`. 0 or -errno (a
  // read error is logged once; events decided so far are still appended).
  [[nodiscard]] int process(std::vector<ButtonEvent>& events);
  [[nodiscard]] std::string describe() const { return line_->describe(); }
  [[nodiscard]] bool pressed() const { return stable_; }

 private:
  void settle(std::chrono::nanoseconds t, std::vector<ButtonEvent>& events);

  std::unique_ptr<EdgeLine> line_;
  MonotonicClock& clock_;
  std::chrono::nanoseconds debounce_;
  std::chrono::nanoseconds longPress_;
  std::chrono::nanoseconds doublePress_;
  std::optional<std::chrono::nanoseconds> shortReleasedAt_{};  // the last ShortPress's release
  bool activeLow_;
  bool raw_ = false;     // pressed, by the last edge
  bool stable_ = false;  // pressed, debounced
  std::chrono::nanoseconds rawSince_{};
  std::chrono::nanoseconds pressedAt_{};
  bool longFired_ = false;  // also: this press is to be ignored
  bool readFailed_ = false;
  std::vector<Edge> edges_;
};

}  // namespace cb::hal
