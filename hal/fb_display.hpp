// FramebufferDisplay: frames onto /dev/fbN (HDMI or SPI TFT), with the console kept out of the way.
#pragma once

#include <linux/fb.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "hal/clock.hpp"
#include "hal/display.hpp"
#include "hal/placement.hpp"
#include "hal/sys.hpp"

namespace cb::hal {

struct FramebufferOptions {
  std::string device = "/dev/fb0";
  // The console put into graphics mode (KDSETMODE KD_GRAPHICS) so the cursor and
  // kernel messages do not draw over the calendar; "" leaves the console alone.
  std::string tty = "/dev/tty1";
  int rotation = 0;
  Fit fit = Fit::Center;
};

// "XRGB8888", "RGB565", "BGR888", ... or "16bpp r11:5 g5:6 b0:5" for anything else.
[[nodiscard]] std::string describeFormat(const fb_var_screeninfo& var);
// 0 when the driver can draw into this format, else -ENOTSUP with `why` set.
[[nodiscard]] int checkFormat(const fb_var_screeninfo& var, const fb_fix_screeninfo& fix,
                              std::string& why);

class ConsoleGraphics;

// Ownership: the display owns the device fd, the mapping and (shared with any
// other framebuffer display of the process) the console's graphics mode. Its
// destructor unmaps, closes and puts the console back into text mode. On
// SIGTERM/SIGINT the daemon's loop returns normally (signals arrive through a
// signalfd), so App — and with it this display — is destroyed and the console
// restored; only a crash (SIGKILL, SIGSEGV) leaves the console in graphics
// mode, which the next start (or `chvt`) repairs.
//
// The framebuffer is not ours alone: a getty starting on the console tty resets it to text
// mode and clears it, and anything with access to /dev/fbN may draw on it. So each show()
// first takes the console back into graphics mode if it left it, and the whole panel (the
// borders too) is rewritten then and at least every kRepaintEvery, not only the damaged rows:
// whatever scribbled on the screen is gone at the next minute's frame.
class FramebufferDisplay final : public Display {
 public:
  // Long enough that the daemon's minute frames each rewrite the whole panel once; a button
  // press in between writes only what changed.
  static constexpr std::chrono::seconds kRepaintEvery{50};

  // Opens and maps the device; nullptr with `error` set (naming the fix, e.g. the group).
  // `clock` times the periodic whole repaint (nullptr: CLOCK_MONOTONIC).
  [[nodiscard]] static std::unique_ptr<FramebufferDisplay> create(const FramebufferOptions& options,
                                                                  Sys& sys, std::string& error,
                                                                  MonotonicClock* clock = nullptr);
  ~FramebufferDisplay() override;
  FramebufferDisplay(const FramebufferDisplay&) = delete;
  FramebufferDisplay& operator=(const FramebufferDisplay&) = delete;

  // Converts and writes the damaged rows (none of an unchanged image); all of them, and the
  // borders cleared to black, after invalidate(), a size change, the console taken back, or
  // kRepaintEvery. 0 or -errno.
  [[nodiscard]] int show(const Image& image) override;
  [[nodiscard]] std::string describe() const override;
  void invalidate() override { fresh_ = true; }
  [[nodiscard]] bool rewroteWhole() const override { return rewroteWhole_; }

  [[nodiscard]] const fb_var_screeninfo& var() const { return var_; }
  [[nodiscard]] const fb_fix_screeninfo& fix() const { return fix_; }
  // Rows written by the last show() (for tests and the benchmark).
  [[nodiscard]] int lastRowsWritten() const { return lastRows_; }

 private:
  FramebufferDisplay(FramebufferOptions options, Sys& sys, MonotonicClock* clock);
  void writeRect(const Image& image, const Region& rect);
  void clearAround(const Region& keep);

  FramebufferOptions options_;
  Sys& sys_;
  SteadyClock steady_;
  MonotonicClock& clock_;
  std::chrono::nanoseconds lastWhole_{};
  UniqueFd fd_;
  UniqueMapping map_;
  std::shared_ptr<ConsoleGraphics> console_;
  fb_var_screeninfo var_{};
  fb_fix_screeninfo fix_{};
  int bytesPerPixel_ = 4;
  std::array<std::uint32_t, 256> red_{}, green_{}, blue_{};
  std::uint32_t opaque_ = 0;  // the transparency bits, all set
  Placement placement_;
  bool fresh_ = true;
  bool rewroteWhole_ = false;
  int lastRows_ = 0;
};

}  // namespace cb::hal
