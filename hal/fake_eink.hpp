// PanelSimulator: a fake Waveshare panel on a fake SPI bus and GPIO lines. It records the
// command stream and decodes it as the panel's controller would — resets, commands, data,
// BUSY handshakes, deep sleep — into the image the glass would show. What the controller
// does comes from the reference table (hal/fake_eink_reference.hpp), never from the
// driver's model table: only the model's name links the two.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hal/clock.hpp"
#include "hal/eink_display.hpp"
#include "hal/fake_eink_reference.hpp"

namespace cb::hal {

struct PanelSpec {
  const ControllerSpec* controller = nullptr;
  bool hasPower = true;  // PWR line wired
  std::chrono::milliseconds powerOn{80}, powerOff{30}, softReset{5}, fullRefresh{3500},
      partialRefresh{700};
};

// The simulated panel for a model: its controller found by the model's name.
[[nodiscard]] PanelSpec panelSpecFor(const EinkModel& model);

// One thing the driver did on the bus, as the recorder saw it.
struct BusEvent {
  enum class Kind { Line, Spi, Read } kind = Kind::Line;
  int line = 0;                     // Line/Read: PanelSimulator::Line
  bool high = false;                // Line: the level set
  std::vector<std::uint8_t> bytes;  // Spi: what was clocked out
  std::chrono::nanoseconds at{};    // monotonic time of the event
};

// A recording folded into the steps a reference driver is written in: a reset burst,
// a command with its data, a BUSY wait (GET_STATUS polls folded in).
struct StreamToken {
  enum class Kind { Reset, Cmd, Wait } kind = Kind::Cmd;
  std::uint8_t cmd = 0;
  int pulses = 0;                   // Reset
  std::vector<std::uint8_t> bytes;  // Cmd: its data
  bool operator==(const StreamToken&) const = default;
  [[nodiscard]] std::string describe() const;
};
// "01 2B FF": bytes as the tests and the simulator's messages print them.
[[nodiscard]] std::string hexBytes(std::span<const std::uint8_t> bytes);
[[nodiscard]] std::vector<StreamToken> streamOf(const std::vector<BusEvent>& events);
// The stream the reference table expects for one refresh (steps the reference alone has
// left out). Panels are 1 = black per pixel; `window` is the partial refresh's.
[[nodiscard]] std::vector<StreamToken> expectedStream(const ControllerSpec& spec, bool partial,
                                                      const std::vector<std::uint8_t>& oldPanel,
                                                      const std::vector<std::uint8_t>& newPanel,
                                                      const Region& window);

class PanelSimulator {
 public:
  PanelSimulator(PanelSpec spec, FakeMonotonicClock& clock);

  // Fakes the driver takes ownership of; they forward to this simulator (which must outlive them).
  [[nodiscard]] std::unique_ptr<SpiBus> spi();
  [[nodiscard]] EinkPins pins();

  // Pixels on the glass, row-major: 1 black, 0 white, 2 never drawn.
  [[nodiscard]] const std::vector<std::uint8_t>& glass() const { return glass_; }
  // Protocol violations, in order (empty when the driver followed the controller's rules).
  [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }
  void clearErrors() { errors_.clear(); }
  // "pwr on", "reset", "cmd 12", "wait" (BUSY seen idle after a busy period),
  // "refresh full", "refresh partial X,Y WxH", "sleep", "pwr off".
  [[nodiscard]] const std::vector<std::string>& trace() const { return trace_; }
  void clearTrace() { trace_.clear(); }
  [[nodiscard]] int fullRefreshes() const { return fulls_; }
  [[nodiscard]] int partialRefreshes() const { return partials_; }
  [[nodiscard]] bool asleep() const { return asleep_; }
  [[nodiscard]] bool powered() const { return pwr_; }
  [[nodiscard]] std::size_t largestWrite() const { return largestWrite_; }
  // Everything the driver did, in order (the recorder).
  [[nodiscard]] const std::vector<BusEvent>& recording() const { return recording_; }
  void clearRecording() { recording_.clear(); }
  // Decodes a recording as if it happened live: the simulator's clock is moved to
  // each event's time first (recordings never go back in time).
  void replay(const std::vector<BusEvent>& events);
  // BUSY never deasserts (a disconnected or dead panel).
  void setStuckBusy(bool stuck) { stuck_ = stuck; }

  // Called through the fakes.
  void spiWrite(std::span<const std::uint8_t> bytes);
  void setLine(int which, bool high);
  [[nodiscard]] int readLine(int which);

  enum Line { kRst, kDc, kBusy, kPwr };

 private:
  void error(std::string what);
  void beginCommand(std::uint8_t c);
  void beginUc(std::uint8_t c);
  void beginSsd(std::uint8_t c);
  void finishCommand();
  void checkRegister(std::uint8_t c);
  void dataByte(std::uint8_t b);
  void ucRefresh();
  void ssdUpdate();
  void wakeFromReset();
  [[nodiscard]] bool oneIsBlack() const;
  [[nodiscard]] bool busy() const;
  void busyFor(std::chrono::milliseconds d);
  // Sets glass pixels of a region from RAM; counts ghosting (old ≠ glass).
  void applyToGlass(int x0, int y0, int w, int h, const std::vector<int>& oldRam,
                    const std::vector<int>& newRam, bool checkOld, bool oneBlack);

  PanelSpec spec_;
  const ControllerSpec& ctl_;
  FakeMonotonicClock& clock_;
  bool pwr_ = false, rst_ = true, dc_ = false;
  bool everReset_ = false, asleep_ = false, hvOn_ = false, partialMode_ = false;
  bool stuck_ = false, waited_ = true;
  std::chrono::nanoseconds busyUntil_{}, rstFell_{}, rstRose_{}, sleptAt_{};
  int pulses_ = 0;    // reset pulses since the last command
  int current_ = -1;  // command receiving data
  std::vector<std::uint8_t> args_;
  std::map<std::uint8_t, std::vector<std::uint8_t>> regs_;  // last data of each command
  // RAM, one entry per pixel as sent (bit value); -1: not written since reset.
  // UC81xx: DTM1 (old), DTM2 (new); SSD16xx: red (old), black/white (new).
  std::vector<int> old_, new_;
  std::size_t cursor_ = 0;  // UC81xx: byte index within the full panel or partial window
  std::size_t written1_ = 0, written2_ = 0;
  int cx_ = 0, cy_ = 0;  // SSD16xx address counter (byte column, row)
  std::vector<std::uint8_t> glass_;
  std::vector<std::string> errors_, trace_;
  int fulls_ = 0, partials_ = 0;
  std::size_t largestWrite_ = 0;
  std::vector<BusEvent> recording_;
};

// The panel image the simulator should show for `image`: rotated by `rotation`,
// centred on the panel, thresholded at 50 % luma (1 black, 0 white). Written
// independently of the driver for the tests' expectations.
[[nodiscard]] std::vector<std::uint8_t> expectedPanel(const Image& image, int rotation,
                                                      int panelWidth, int panelHeight);

}  // namespace cb::hal
