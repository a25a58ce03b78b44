// The panel simulator: UC81xx and SSD16xx command decoders with the controllers' rules as
// checks, driven by the reference table (hal/fake_eink_reference.cpp).
#include "hal/fake_eink.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "hal/rotate.hpp"

namespace cb::hal {
namespace {

using std::chrono::milliseconds;

class SimSpi final : public SpiBus {
 public:
  explicit SimSpi(PanelSimulator& sim) : sim_(sim) {}
  int write(std::span<const std::uint8_t> bytes) override {
    sim_.spiWrite(bytes);
    return 0;
  }
  std::string describe() const override { return "simulated spidev"; }

 private:
  PanelSimulator& sim_;
};

class SimLine final : public GpioLine {
 public:
  SimLine(PanelSimulator& sim, int which) : sim_(sim), which_(which) {}
  int set(bool high) override {
    if (which_ == PanelSimulator::kBusy) return -EPERM;  // an input
    sim_.setLine(which_, high);
    return 0;
  }
  int get() override { return sim_.readLine(which_); }

 private:
  PanelSimulator& sim_;
  int which_;
};

bool isUcCommand(std::uint8_t c) {
  static constexpr std::uint8_t known[] = {0x00, 0x01, 0x02, 0x04, 0x06, 0x07, 0x10, 0x12, 0x13,
                                           0x15, 0x20, 0x21, 0x22, 0x23, 0x24, 0x30, 0x50, 0x60,
                                           0x61, 0x71, 0x82, 0x90, 0x91, 0x92, 0xE0, 0xE5};
  return std::find(std::begin(known), std::end(known), c) != std::end(known);
}

bool isSsdCommand(std::uint8_t c) {
  static constexpr std::uint8_t known[] = {0x10, 0x11, 0x12, 0x1A, 0x20, 0x21, 0x22,
                                           0x24, 0x26, 0x3C, 0x44, 0x45, 0x4E, 0x4F};
  return std::find(std::begin(known), std::end(known), c) != std::end(known);
}

const ControllerSpec& controllerOf(const PanelSpec& spec) {
  if (spec.controller == nullptr) {
    fmt::print(stderr, "PanelSimulator: no controller in the reference table\n");
    std::abort();
  }
  return *spec.controller;
}

}  // namespace

PanelSpec panelSpecFor(const EinkModel& model) {
  PanelSpec s;
  s.controller = findController(model.name);
  return s;
}

PanelSimulator::PanelSimulator(PanelSpec spec, FakeMonotonicClock& clock)
    : spec_(spec),
      ctl_(controllerOf(spec)),
      clock_(clock),
      old_(std::size_t(ctl_.width) * std::size_t(ctl_.height), -1),
      new_(old_.size(), -1),
      glass_(old_.size(), 2) {}

std::unique_ptr<SpiBus> PanelSimulator::spi() {
  return std::make_unique<SimSpi>(*this);
}

EinkPins PanelSimulator::pins() {
  EinkPins p;
  p.rst = std::make_unique<SimLine>(*this, kRst);
  p.dc = std::make_unique<SimLine>(*this, kDc);
  p.busy = std::make_unique<SimLine>(*this, kBusy);
  if (spec_.hasPower) p.pwr = std::make_unique<SimLine>(*this, kPwr);
  return p;
}

void PanelSimulator::error(std::string what) {
  // A driver polling a BUSY it misreads repeats one mistake thousands of times.
  constexpr std::size_t kMaxErrors = 100;
  if (errors_.size() < kMaxErrors)
    errors_.push_back(std::move(what));
  else if (errors_.size() == kMaxErrors)
    errors_.push_back("(further errors not recorded)");
}

bool PanelSimulator::busy() const {
  return stuck_ || clock_.now() < busyUntil_;
}

void PanelSimulator::busyFor(milliseconds d) {
  busyUntil_ = clock_.now() + d;
  waited_ = false;
}

bool PanelSimulator::oneIsBlack() const {
  const auto it = regs_.find(ctl_.polarityCmd);
  if (it == regs_.end() || int(it->second.size()) <= ctl_.polarityByte) return false;
  return (it->second[std::size_t(ctl_.polarityByte)] & ctl_.polarityMask) == ctl_.oneIsBlackValue;
}

void PanelSimulator::replay(const std::vector<BusEvent>& events) {
  for (const BusEvent& e : events) {
    if (e.at > clock_.now()) clock_.advance(e.at - clock_.now());
    switch (e.kind) {
      case BusEvent::Kind::Line:
        setLine(e.line, e.high);
        break;
      case BusEvent::Kind::Spi:
        spiWrite(e.bytes);
        break;
      case BusEvent::Kind::Read:
        (void)readLine(e.line);
        break;
    }
  }
}

void PanelSimulator::setLine(int which, bool high) {
  recording_.push_back({BusEvent::Kind::Line, which, high, {}, clock_.now()});
  if (which == kPwr) {
    finishCommand();
    if (high != pwr_) trace_.push_back(high ? "pwr on" : "pwr off");
    if (pwr_ && !high && everReset_) {
      if (!asleep_) {
        error("power cut while the controller is awake (high voltage may be on)");
      } else if (const auto since = clock_.now() - sleptAt_; since < std::chrono::seconds{2}) {
        error(
            fmt::format("power cut {} ms after deep sleep; the references wait at least 2 s "
                        "(EPD_4in2_V2_test.c:218)",
                        std::chrono::duration_cast<milliseconds>(since).count()));
      }
    }
    pwr_ = high;
    if (!high) everReset_ = hvOn_ = asleep_ = false;
  } else if (which == kDc) {
    dc_ = high;
  } else if (which == kRst) {
    if (spec_.hasPower && !pwr_ && !high) error("reset pulse while the panel has no power");
    if (rst_ && !high) rstFell_ = clock_.now();
    if (!rst_ && high) wakeFromReset();
    rst_ = high;
  }
}

void PanelSimulator::wakeFromReset() {
  // End of a reset pulse: the controller starts afresh (RAM is not trusted).
  const auto low = std::chrono::duration_cast<milliseconds>(clock_.now() - rstFell_);
  if (low.count() < ctl_.minLowMs)
    error(fmt::format("reset pulse of {} ms; the {} needs at least {} ms ({})", low.count(),
                      ctl_.controller, ctl_.minLowMs, ctl_.resetCite));
  finishCommand();
  if (pulses_ == 0) trace_.push_back("reset");
  ++pulses_;
  rstRose_ = clock_.now();
  everReset_ = true;
  asleep_ = hvOn_ = partialMode_ = false;
  regs_.clear();
  std::fill(old_.begin(), old_.end(), -1);
  std::fill(new_.begin(), new_.end(), -1);
  cx_ = cy_ = 0;
  busyUntil_ = {};
  waited_ = true;
}

int PanelSimulator::readLine(int which) {
  recording_.push_back({BusEvent::Kind::Read, which, false, {}, clock_.now()});
  if (which == kBusy) {
    const bool b = busy();
    if (!b && !waited_) {
      trace_.push_back("wait");
      waited_ = true;
    }
    return b ? ctl_.busyLevel : 1 - ctl_.busyLevel;
  }
  if (which == kRst) return rst_;
  if (which == kDc) return dc_;
  return pwr_;
}

void PanelSimulator::spiWrite(std::span<const std::uint8_t> bytes) {
  recording_.push_back({BusEvent::Kind::Spi, 0, false, {bytes.begin(), bytes.end()}, clock_.now()});
  largestWrite_ = std::max(largestWrite_, bytes.size());
  if (spec_.hasPower && !pwr_) {
    error("SPI traffic while the panel has no power");
    return;
  }
  if (!everReset_) {
    error("SPI traffic before the first hardware reset");
    return;
  }
  if (!rst_) {
    error("SPI traffic while RST is held low");
    return;
  }
  if (pulses_ > 0) {
    if (pulses_ < ctl_.resetPulses)
      error(fmt::format("{} reset pulse(s); the {} needs {} ({})", pulses_, ctl_.controller,
                        ctl_.resetPulses, ctl_.resetCite));
    const auto settle = std::chrono::duration_cast<milliseconds>(clock_.now() - rstRose_);
    if (settle.count() < ctl_.minSettleMs)
      error(fmt::format("first command {} ms after the reset; the {} needs {} ms ({})",
                        settle.count(), ctl_.controller, ctl_.minSettleMs, ctl_.resetCite));
    pulses_ = 0;
  }
  if (dc_) {
    for (std::uint8_t b : bytes) dataByte(b);
  } else {
    for (std::uint8_t b : bytes) beginCommand(b);
  }
}

void PanelSimulator::beginCommand(std::uint8_t c) {
  finishCommand();
  if (asleep_) {
    error(fmt::format("command 0x{:02X} in deep sleep (only a hardware reset wakes the panel)", c));
    return;
  }
  const bool uc = ctl_.family == ControllerFamily::Uc81xx;
  if (uc && c == eink_cmd::kGetStatus) return;  // allowed at any time, also while busy
  if (busy()) {
    error(fmt::format("command 0x{:02X} while BUSY", c));
    return;
  }
  if (!waited_) {
    // The controller finished on its own, but the driver never looked at BUSY.
    error(fmt::format("command 0x{:02X} without waiting for BUSY", c));
    waited_ = true;
  }
  if (!(uc ? isUcCommand(c) : isSsdCommand(c))) {
    error(fmt::format("unknown {} command 0x{:02X}", ctl_.controller, c));
    return;
  }
  trace_.push_back(fmt::format("cmd {:02X}", c));
  current_ = c;
  args_.clear();
  if (uc)
    beginUc(c);
  else
    beginSsd(c);
}

void PanelSimulator::beginUc(std::uint8_t c) {
  using namespace eink_cmd;
  switch (c) {
    case kPowerOn:
      hvOn_ = true;
      busyFor(spec_.powerOn);
      break;
    case kPowerOff:
      hvOn_ = false;
      busyFor(spec_.powerOff);
      break;
    case kDataStart1:
    case kDataStart2:
      cursor_ = 0;
      (c == kDataStart1 ? written1_ : written2_) = 0;
      break;
    case kDisplayRefresh:
      ucRefresh();
      break;
    case kPartialIn:
      partialMode_ = true;
      break;
    case kPartialOut:
      partialMode_ = false;
      break;
    default:
      break;
  }
}

void PanelSimulator::beginSsd(std::uint8_t c) {
  using namespace ssd_cmd;
  switch (c) {
    case kSoftReset:
      regs_.clear();
      cx_ = cy_ = 0;
      busyFor(spec_.softReset);
      break;
    case kMasterActivation:
      ssdUpdate();
      break;
    default:
      break;
  }
}

void PanelSimulator::dataByte(std::uint8_t b) {
  if (current_ < 0) {
    error("data without a command");
    return;
  }
  const bool uc = ctl_.family == ControllerFamily::Uc81xx;
  const auto W = std::size_t(ctl_.width);
  if (uc && (current_ == eink_cmd::kDataStart1 || current_ == eink_cmd::kDataStart2)) {
    std::vector<int>& ram = current_ == eink_cmd::kDataStart1 ? old_ : new_;
    // Full mode: the whole panel; partial mode: the window, row by row.
    int x0 = 0, y0 = 0, w = ctl_.width, h = ctl_.height;
    const auto win = regs_.find(eink_cmd::kPartialWindow);
    if (partialMode_ && win != regs_.end() && win->second.size() == 9) {
      const auto& a = win->second;
      x0 = (a[0] << 8) | a[1];
      y0 = (a[4] << 8) | a[5];
      w = ((a[2] << 8) | a[3]) - x0 + 1;
      h = ((a[6] << 8) | a[7]) - y0 + 1;
    }
    const std::size_t rowBytes = std::size_t(w) / 8;
    if (rowBytes == 0 || cursor_ >= rowBytes * std::size_t(h)) {
      if (cursor_ == rowBytes * std::size_t(h))
        error(fmt::format("more data than the {} window holds", partialMode_ ? "partial" : "full"));
      ++cursor_;
      return;
    }
    const int y = y0 + int(cursor_ / rowBytes);
    const int x = x0 + int(cursor_ % rowBytes) * 8;
    for (int i = 0; i < 8; ++i) ram[std::size_t(y) * W + std::size_t(x + i)] = (b >> (7 - i)) & 1;
    ++cursor_;
    ++(current_ == eink_cmd::kDataStart1 ? written1_ : written2_);
    return;
  }
  if (!uc && (current_ == ssd_cmd::kWriteBw || current_ == ssd_cmd::kWriteRed)) {
    std::vector<int>& ram = current_ == ssd_cmd::kWriteRed ? old_ : new_;
    const auto rx = regs_.find(ssd_cmd::kRamX);
    const auto ry = regs_.find(ssd_cmd::kRamY);
    const auto mode = regs_.find(ssd_cmd::kDataEntryMode);
    if (rx == regs_.end() || ry == regs_.end() || rx->second.size() != 2 ||
        ry->second.size() != 4) {
      if (args_.empty()) error("RAM write before the RAM window (0x44/0x45) was set");
      args_.push_back(b);
      return;
    }
    if (mode == regs_.end() || mode->second != std::vector<std::uint8_t>{0x03}) {
      if (args_.empty()) error("RAM write without data entry mode 0x03 (x, then y increasing)");
      args_.push_back(b);
      return;
    }
    const int xs = rx->second[0], xe = rx->second[1];
    const int ys = ry->second[0] | ry->second[1] << 8, ye = ry->second[2] | ry->second[3] << 8;
    if (cx_ >= 0 && cx_ * 8 + 7 < ctl_.width && cy_ >= 0 && cy_ < ctl_.height) {
      for (int i = 0; i < 8; ++i)
        ram[std::size_t(cy_) * W + std::size_t(cx_ * 8 + i)] = (b >> (7 - i)) & 1;
    } else if (args_.empty()) {
      error(fmt::format("RAM write at byte column {}, row {}: outside the panel", cx_, cy_));
    }
    args_.push_back(b);
    // The address counter runs through the window and wraps around.
    if (++cx_ > xe) {
      cx_ = xs;
      if (++cy_ > ye) cy_ = ys;
    }
    return;
  }
  args_.push_back(b);
  // Commands of a fixed length act as soon as their last byte arrives.
  const std::size_t fixed = !uc                                 ? (current_ == ssd_cmd::kDeepSleep)
                            : current_ == eink_cmd::kDeepSleep  ? 1
                            : current_ == eink_cmd::kResolution ? 4
                            : current_ == eink_cmd::kPartialWindow ? 9
                                                                   : 0;
  if (args_.size() == fixed) finishCommand();
}

void PanelSimulator::checkRegister(std::uint8_t c) {
  std::string want;
  for (const RefRegister& r : ctl_.registers) {
    if (r.cmd != c) continue;
    if (r.bytes == args_) return;
    want += fmt::format("{}[{}] ({})", want.empty() ? "" : " or ", hexBytes(r.bytes), r.cite);
  }
  if (!want.empty())
    error(fmt::format("{} register 0x{:02X} = [{}]; the reference writes {}", ctl_.controller, c,
                      hexBytes(args_), want));
}

void PanelSimulator::finishCommand() {
  if (current_ < 0) return;
  const auto c = std::uint8_t(current_);
  current_ = -1;
  const bool uc = ctl_.family == ControllerFamily::Uc81xx;
  const bool ram = uc ? (c == eink_cmd::kDataStart1 || c == eink_cmd::kDataStart2)
                      : (c == ssd_cmd::kWriteBw || c == ssd_cmd::kWriteRed);
  if (ram) return;
  checkRegister(c);
  regs_[c] = args_;
  if (uc) {
    using namespace eink_cmd;
    if (c == kResolution && args_.size() == 4) {
      const int w = args_[0] << 8 | args_[1], h = args_[2] << 8 | args_[3];
      if (w != ctl_.width || h != ctl_.height)
        error(
            fmt::format("resolution set to {}x{} on a {}x{} panel", w, h, ctl_.width, ctl_.height));
    } else if (c == kPartialWindow) {
      const auto& a = args_;
      const int x0 = a.size() == 9 ? (a[0] << 8) | a[1] : -1,
                x1 = a.size() == 9 ? (a[2] << 8) | a[3] : -1;
      const int y0 = a.size() == 9 ? (a[4] << 8) | a[5] : -1,
                y1 = a.size() == 9 ? (a[6] << 8) | a[7] : -1;
      if (a.size() != 9 || x0 % 8 != 0 || (x1 + 1) % 8 != 0 || x1 < x0 || y1 < y0 ||
          x1 >= ctl_.width || y1 >= ctl_.height) {
        error(fmt::format("bad partial window x {}..{} y {}..{}", x0, x1, y0, y1));
        regs_.erase(c);
      }
    } else if (c == kDeepSleep) {
      if (args_ == std::vector<std::uint8_t>{kDeepSleepCheck}) {
        asleep_ = true;
        sleptAt_ = clock_.now();
        trace_.push_back("sleep");
        if (hvOn_) error("deep sleep without power off first");
      } else {
        error("deep sleep without the 0xA5 check code");
      }
    } else if ((c == kPowerOn || c == kPowerOff || c == kDisplayRefresh || c == kPartialIn ||
                c == kPartialOut) &&
               !args_.empty()) {
      error(fmt::format("command 0x{:02X} with {} data bytes", c, args_.size()));
    }
    return;
  }
  using namespace ssd_cmd;
  if (c == kRamXCounter && args_.size() == 1) cx_ = args_[0];
  if (c == kRamYCounter && args_.size() == 2) cy_ = args_[0] | args_[1] << 8;
  if (c == kDeepSleep) {
    if (args_.size() == 1 && (args_[0] == 0x01 || args_[0] == 0x03)) {
      asleep_ = true;
      sleptAt_ = clock_.now();
      trace_.push_back("sleep");
      if (hvOn_) error("deep sleep with the analog part still on");
    } else {
      error("deep sleep without mode 1 or 2");
    }
  }
}

void PanelSimulator::applyToGlass(int x0, int y0, int w, int h, const std::vector<int>& oldRam,
                                  const std::vector<int>& newRam, bool checkOld, bool oneBlack) {
  int oldMismatch = 0, unwritten = 0;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      const std::size_t i = std::size_t(y) * std::size_t(ctl_.width) + std::size_t(x);
      if (checkOld) {
        if (oldRam[i] < 0)
          ++unwritten;
        else if (glass_[i] != 2 && std::uint8_t((oldRam[i] == 1) == oneBlack) != glass_[i])
          ++oldMismatch;
      }
      if (newRam[i] < 0) {
        ++unwritten;
        continue;
      }
      glass_[i] = std::uint8_t((newRam[i] == 1) == oneBlack);
    }
  if (unwritten > 0)
    error(fmt::format("refresh of {} pixels never written since the reset", unwritten));
  if (oldMismatch > 0)
    error(fmt::format("partial refresh: old data differs from the glass in {} pixels (ghosting)",
                      oldMismatch));
}

void PanelSimulator::ucRefresh() {
  if (!hvOn_) {
    error("display refresh without power on");
    return;
  }
  if (!regs_.contains(eink_cmd::kVcomDataInterval)) {
    error("display refresh without the VCOM/data interval setting");
    return;
  }
  if (!regs_.contains(eink_cmd::kResolution) && !partialMode_)
    error("full refresh without a resolution setting");
  int x0 = 0, y0 = 0, w = ctl_.width, h = ctl_.height;
  if (partialMode_) {
    const auto win = regs_.find(eink_cmd::kPartialWindow);
    if (win == regs_.end()) {
      error("partial refresh without a valid window");
      return;
    }
    const auto& a = win->second;
    x0 = (a[0] << 8) | a[1];
    y0 = (a[4] << 8) | a[5];
    w = ((a[2] << 8) | a[3]) - x0 + 1;
    h = ((a[6] << 8) | a[7]) - y0 + 1;
  }
  const std::size_t want = std::size_t(w / 8) * std::size_t(h);
  if (written2_ != want)
    error(fmt::format("refresh with {} of {} new data bytes", written2_, want));
  if (written1_ != want)
    error(fmt::format("refresh with {} of {} old data bytes", written1_, want));
  applyToGlass(x0, y0, w, h, old_, new_, partialMode_, oneIsBlack());
  if (partialMode_) {
    ++partials_;
    trace_.push_back(fmt::format("refresh partial {},{} {}x{}", x0, y0, w, h));
    busyFor(spec_.partialRefresh);
  } else {
    ++fulls_;
    trace_.push_back("refresh full");
    busyFor(spec_.fullRefresh);
  }
}

void PanelSimulator::ssdUpdate() {
  const auto seq = regs_.find(ssd_cmd::kUpdateControl2);
  if (seq == regs_.end() || seq->second.size() != 1) {
    error("master activation without a display update sequence (0x22)");
    return;
  }
  const std::uint8_t s = seq->second[0];
  // 0x22: 0x80 clock on, 0x40 analog on, 0x20 temperature, 0x10 LUT, 0x08 display mode 2,
  // 0x04 display, 0x02 analog off, 0x01 clock off.
  hvOn_ = (s & 0x40) && !(s & 0x02);
  if (!(s & 0x04)) {
    busyFor(milliseconds{10});
    return;
  }
  if (!(s & 0x40)) error("display update without the analog part on");
  const auto ctl1 = regs_.find(ssd_cmd::kUpdateControl1);
  const bool redBypassed =
      ctl1 != regs_.end() && !ctl1->second.empty() && (ctl1->second[0] & 0xF0) != 0x00;
  const bool differential = s & 0x08;
  if (differential && redBypassed) error("differential update with the red (old) RAM bypassed");
  applyToGlass(0, 0, ctl_.width, ctl_.height, old_, new_, differential, oneIsBlack());
  if (differential) {
    ++partials_;
    trace_.push_back("refresh partial");
    busyFor(spec_.partialRefresh);
  } else {
    ++fulls_;
    trace_.push_back("refresh full");
    busyFor(spec_.fullRefresh);
  }
}

std::vector<std::uint8_t> expectedPanel(const Image& image, int rotation, int pw, int ph) {
  const std::vector<std::uint32_t> r = rotate(image, rotation);
  const bool swap = rotation == 90 || rotation == 270;
  const int rw = swap ? image.height : image.width, rh = swap ? image.width : image.height;
  std::vector<std::uint8_t> out(std::size_t(pw) * std::size_t(ph), 0);
  const int ox = (pw - rw) / 2, oy = (ph - rh) / 2;
  for (int y = 0; y < ph; ++y)
    for (int x = 0; x < pw; ++x) {
      const int sx = x - ox, sy = y - oy;
      if (sx < 0 || sy < 0 || sx >= rw || sy >= rh) continue;
      const std::uint32_t p = r[std::size_t(sy) * std::size_t(rw) + std::size_t(sx)];
      const double luma =
          0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
      out[std::size_t(y) * std::size_t(pw) + std::size_t(x)] = luma < 127.5 ? 1 : 0;
    }
  return out;
}

}  // namespace cb::hal
