// E-ink refresh cycles: scripts from the model table, frame data, BUSY with a time-out.
#include "hal/eink_display.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "calendarbot_config.h"
#include "hal/log.hpp"
#include "hal/sys.hpp"
#if CB_HAVE_EINK
#include "hal/gpiod_lines.hpp"
#endif

namespace cb::hal {

using namespace eink_cmd;
using Kind = RefreshDecision::Kind;

RefreshRules refreshRules(const EinkSettings& s, const EinkModel& m) {
  RefreshRules r;
  r.partialAllowed = s.partialRefresh && m.supportsPartial();
  r.fullEveryPartials = s.fullEveryPartials;
  r.fullEvery = std::chrono::hours{s.fullEveryHours};
  r.minInterval = std::chrono::seconds{s.minRefreshSeconds};
  r.minFullInterval = std::chrono::seconds{s.minFullRefreshSeconds};
  r.maxPerDay = s.maxRefreshesPerDay;
  return r;
}

EinkDisplay::EinkDisplay(const EinkModel& model, const EinkSettings& settings, int rotation,
                         Fit fit, std::unique_ptr<SpiBus> spi, EinkPins pins, MonotonicClock& clock)
    : model_(model),
      settings_(settings),
      rotation_(rotation),
      fit_(fit),
      spi_(std::move(spi)),
      pins_(std::move(pins)),
      clock_(clock),
      policy_(refreshRules(settings, model)) {}

EinkDisplay::~EinkDisplay() {
  // The panel sleeps after each refresh (power off, then deep sleep). Its power is
  // cut only 2 s after the deep-sleep command, as the references wait
  // (EPD_4in2_V2_test.c: "important, at least 2s").
  if (pins_.pwr && powered_) {
    const auto since = clock_.now() - sleptAt_;
    if (since < kSleepToPowerCut) clock_.sleepFor(kSleepToPowerCut - since);
    (void)pins_.pwr->set(false);
  }
}

std::unique_ptr<EinkDisplay> EinkDisplay::create(const DisplayConfig& config, std::string& error,
                                                 MonotonicClock* clock) {
  const EinkModel* model = findEinkModel(config.eink.model);
  if (model == nullptr) {
    error = fmt::format("e-ink: unknown model \"{}\"", config.eink.model);
    return nullptr;
  }
#if CB_HAVE_EINK
  const EinkSettings& s = config.eink;
  auto spi = SpidevBus::create(realSys(), config.path, s.spiSpeedHz, error);
  if (!spi) return nullptr;
  EinkPins pins;
  if (s.pinPwr >= 0 && !(pins.pwr = openOutputLine(s.gpioChip, s.pinPwr, false, error)))
    return nullptr;
  if (!(pins.rst = openOutputLine(s.gpioChip, s.pinRst, true, error))) return nullptr;
  if (!(pins.dc = openOutputLine(s.gpioChip, s.pinDc, false, error))) return nullptr;
  if (!(pins.busy = openInputLine(s.gpioChip, s.pinBusy, error))) return nullptr;
  std::unique_ptr<MonotonicClock> owned;
  if (clock == nullptr) {
    owned = std::make_unique<SteadyClock>();
    clock = owned.get();
  }
  auto display = std::make_unique<EinkDisplay>(*model, s, config.rotation,
                                               config.fit == "scale" ? Fit::Scale : Fit::Center,
                                               std::move(spi), std::move(pins), *clock);
  display->ownedClock_ = std::move(owned);
  return display;
#else
  (void)clock;
  error = "e-ink: this build has no e-ink support (meson -Deink=enabled)";
  return nullptr;
#endif
}

std::string EinkDisplay::describe() const {
  return fmt::format("{} on {}", model_.description, spi_->describe());
}

void EinkDisplay::invalidate() {
  policy_.forceFull();
  lastHash_ = 0;
}

void EinkDisplay::pack(const Image& image) {
  const int rowBytes = model_.rowBytes();
  next_.assign(std::size_t(rowBytes) * std::size_t(model_.height), 0);  // white
  const Region& t = placement_.target();
  const std::uint32_t* px = image.pixels.data();
  for (int y = t.y; y < t.y + t.height; ++y) {
    std::uint8_t* row = next_.data() + std::size_t(y) * std::size_t(rowBytes);
    for (int x = t.x; x < t.x + t.width; ++x) {
      const std::uint32_t p = px[placement_.sourceIndex(x, y)];
      // Rec. 601 luma in 8.8 fixed point; below half is ink.
      const std::uint32_t luma =
          (((p >> 16) & 0xff) * 77 + ((p >> 8) & 0xff) * 150 + (p & 0xff) * 29) >> 8;
      if (luma < 128) row[x >> 3] |= std::uint8_t(0x80u >> (x & 7));
    }
  }
}

Region EinkDisplay::changedWindow() const {
  if (shown_.size() != next_.size()) return {0, 0, model_.width, model_.height};
  const auto rowBytes = std::size_t(model_.rowBytes());
  int y0 = -1, y1 = -1, b0 = int(rowBytes), b1 = -1;
  for (int y = 0; y < model_.height; ++y) {
    const std::uint8_t* a = shown_.data() + std::size_t(y) * rowBytes;
    const std::uint8_t* b = next_.data() + std::size_t(y) * rowBytes;
    if (std::memcmp(a, b, rowBytes) == 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    for (int i = 0; i < int(rowBytes); ++i)
      if (a[i] != b[i]) {
        b0 = std::min(b0, i);
        break;
      }
    for (int i = int(rowBytes) - 1; i >= 0; --i)
      if (a[i] != b[i]) {
        b1 = std::max(b1, i);
        break;
      }
  }
  if (y0 < 0) return {};
  return {b0 * 8, y0, (b1 - b0 + 1) * 8, y1 - y0 + 1};
}

int EinkDisplay::show(const Image& image) {
  if (image.width <= 0 || image.height <= 0 || image.strideWords < image.width ||
      image.pixels.size() <
          std::size_t(image.strideWords) * std::size_t(image.height - 1) + std::size_t(image.width))
    return -EINVAL;
  if (image.hash != 0 && image.hash == lastHash_) {
    last_ = Kind::Skip;
    return 0;
  }
  if (!placement_.matches(image.width, image.height, image.strideWords))
    placement_ = Placement(image.width, image.height, image.strideWords, rotation_, model_.width,
                           model_.height, fit_);
  pack(image);
  const RefreshDecision d = policy_.decide(changedWindow(), clock_.now());
  last_ = d.kind;
  if (d.kind == Kind::Deferred) return 0;  // lastHash_ kept: the same frame comes again
  if (d.kind == Kind::Skip) {
    lastHash_ = image.hash;
    return 0;
  }
  const auto started = clock_.now();
  const int rc = d.kind == Kind::Full ? refreshFull() : refreshPartial(d.window);
  if (rc < 0) {
    if (rc != lastError_)
      logMessage(LogLevel::Error,
                 fmt::format("e-ink {}: {} refresh failed: {}", describe(),
                             d.kind == Kind::Full ? "full" : "partial",
                             rc == -ETIMEDOUT ? "BUSY stuck (time-out; is display.model right? "
                                                "the 4.2\" V1 and V2 differ in BUSY polarity)"
                                              : std::strerror(-rc)));
    lastError_ = rc;
    shutDown();
    policy_.done(d, started, false);
    lastHash_ = 0;
    return rc;
  }
  lastError_ = 0;
  policy_.done(d, started);
  shown_ = next_;
  lastHash_ = image.hash;
  logMessage(
      LogLevel::Debug,
      fmt::format(
          "e-ink: {} refresh ({}) in {} ms", d.kind == Kind::Full ? "full" : "partial", d.reason,
          std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - started).count()));
  return 0;
}

int EinkDisplay::command(std::uint8_t c) {
  int rc = pins_.dc->set(false);
  if (rc == 0) rc = spi_->write(std::span<const std::uint8_t>(&c, 1));
  return rc;
}

int EinkDisplay::data(std::span<const std::uint8_t> bytes) {
  int rc = pins_.dc->set(true);
  if (rc == 0) rc = spi_->write(bytes);
  return rc;
}

int EinkDisplay::waitIdle(std::chrono::nanoseconds limit) {
  const auto start = clock_.now();
  while (true) {
    if (model_.pollStatus)
      if (const int rc = command(kGetStatus); rc < 0) return rc;
    const int v = pins_.busy->get();
    if (v < 0) return v;
    if (v != model_.busyLevel) return 0;
    if (clock_.now() - start >= limit) return -ETIMEDOUT;
    sleepMs(10);
  }
}

int EinkDisplay::runScript(std::span<const std::uint8_t> s, bool bestEffort) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t op = s[i++];
    int rc = 0;
    if (op == kEinkWaitIdle) {
      rc = bestEffort ? (void)waitIdle(kShutDownWait), 0 : waitIdle();
    } else if (op == kEinkDelayMs) {
      sleepMs(s[i++]);
    } else {
      const std::size_t n = s[i++];
      rc = command(op);
      if (rc == 0 && n > 0) rc = data(s.subspan(i, n));
      i += n;
    }
    if (rc < 0 && !bestEffort) return rc;
  }
  return 0;
}

void EinkDisplay::shutDown() {
  // A refresh that failed half-way may have left the high voltage on: power off and
  // deep sleep whatever BUSY says, then cut the power where it is switched.
  if (!powered_) return;
  (void)runScript(model_.sleep, true);
  sleptAt_ = clock_.now();
  if (pins_.pwr) {
    sleepMs(int(std::chrono::duration_cast<std::chrono::milliseconds>(kSleepToPowerCut).count()));
    (void)pins_.pwr->set(false);
    powered_ = false;
  }
}

int EinkDisplay::sleepPanel() {
  const int rc = runScript(model_.sleep);
  sleptAt_ = clock_.now();
  return rc;
}

int EinkDisplay::wake() {
  int rc = 0;
  if (pins_.pwr && !powered_) {
    rc = pins_.pwr->set(true);
    if (rc < 0) return rc;
    sleepMs(10);
  }
  powered_ = true;
  // Deep sleep ends only with a hardware reset (as many pulses as the reference gives).
  const EinkResetPulse& r = model_.reset;
  if (r.highBeforeMs > 0) {
    if ((rc = pins_.rst->set(true)) < 0) return rc;
    sleepMs(r.highBeforeMs);
  }
  for (int i = 0; i < r.pulses; ++i) {
    if ((rc = pins_.rst->set(false)) < 0) return rc;
    sleepMs(r.lowMs);
    if ((rc = pins_.rst->set(true)) < 0) return rc;
    sleepMs(r.highAfterMs);
  }
  return 0;
}

int EinkDisplay::writeData(std::uint8_t cmd, const std::vector<std::uint8_t>& src, const Region& w,
                           std::uint8_t flip) {
  const auto rowBytes = std::size_t(model_.rowBytes());
  const auto windowBytes = std::size_t(w.width / 8);
  out_.clear();
  for (int y = w.y; y < w.y + w.height; ++y) {
    const std::uint8_t* row = src.data() + std::size_t(y) * rowBytes + std::size_t(w.x / 8);
    for (std::size_t i = 0; i < windowBytes; ++i) out_.push_back(std::uint8_t(row[i] ^ flip));
  }
  int rc = command(cmd);
  return rc < 0 ? rc : data(out_);
}

int EinkDisplay::refreshFull() {
  int rc = wake();
  if (rc == 0) rc = runScript(model_.initFull);
  if (rc < 0) return rc;
  // shown_/next_ hold 1 = black; the controller gets its own polarity.
  const std::uint8_t flip = model_.fullOneIsBlack ? 0x00 : 0xFF;
  const Region all{0, 0, model_.width, model_.height};
  const bool uc = model_.controller == EinkController::Uc81xx;
  const std::uint8_t oldCmd = uc ? kDataStart1 : ssd_cmd::kWriteRed;
  const std::uint8_t newCmd = uc ? kDataStart2 : ssd_cmd::kWriteBw;
  auto writeOld = [&] {
    switch (model_.fullOld) {
      case EinkOldData::Complement:
        // Old data the complement of the new: the waveform drives every pixel
        // (that is what clears the ghosting).
        return writeData(oldCmd, next_, all, std::uint8_t(~flip));
      case EinkOldData::Zeros: {
        out_.assign(next_.size(), 0x00);
        int r = command(oldCmd);
        return r < 0 ? r : data(out_);
      }
      case EinkOldData::SameAsNew:
        break;
    }
    return writeData(oldCmd, next_, all, flip);
  };
  // UC81xx: old (DTM1) then new (DTM2); SSD16xx: black/white RAM then red RAM.
  if (uc) {
    if ((rc = writeOld()) < 0 || (rc = writeData(newCmd, next_, all, flip)) < 0) return rc;
  } else {
    if ((rc = writeData(newCmd, next_, all, flip)) < 0 || (rc = writeOld()) < 0) return rc;
  }
  if ((rc = runScript(model_.updateFull)) < 0) return rc;
  return sleepPanel();
}

int EinkDisplay::refreshPartial(const Region& w) {
  int rc = wake();
  if (rc == 0) rc = runScript(model_.initPartial);
  if (rc < 0) return rc;
  const int x1 = w.x + w.width - 1, y1 = w.y + w.height - 1;
  const std::uint8_t flip = model_.partialOneIsBlack ? 0x00 : 0xFF;
  if (model_.controller == EinkController::Uc81xx) {
    const std::uint8_t window[] = {
        std::uint8_t(w.x >> 8), std::uint8_t(w.x),      std::uint8_t(x1 >> 8),
        std::uint8_t(x1),       std::uint8_t(w.y >> 8), std::uint8_t(w.y),
        std::uint8_t(y1 >> 8),  std::uint8_t(y1),       model_.partialScan};
    if ((rc = command(kPartialIn)) < 0 || (rc = command(kPartialWindow)) < 0 ||
        (rc = data(window)) < 0)
      return rc;
    // Old data (what the glass shows: the RAM is not trusted after the reset), then new.
    if ((rc = writeData(kDataStart1, shown_, w, flip)) < 0 ||
        (rc = writeData(kDataStart2, next_, w, flip)) < 0)
      return rc;
    if ((rc = runScript(model_.updatePartial)) < 0 || (rc = command(kPartialOut)) < 0) return rc;
    return sleepPanel();
  }
  // SSD16xx: the differential update (display mode 2) drives the whole panel from
  // red RAM (old) against black/white RAM (new), so both are written whole: the RAM is
  // not trusted after the reset between our refreshes. The address counter goes back
  // to the origin before the second RAM.
  (void)w;
  const Region all{0, 0, model_.width, model_.height};
  const std::uint8_t x0[] = {0x00}, y0[] = {0x00, 0x00};
  if ((rc = writeData(ssd_cmd::kWriteBw, next_, all, flip)) < 0 ||
      (rc = command(ssd_cmd::kRamXCounter)) < 0 || (rc = data(x0)) < 0 ||
      (rc = command(ssd_cmd::kRamYCounter)) < 0 || (rc = data(y0)) < 0 ||
      (rc = writeData(ssd_cmd::kWriteRed, shown_, all, flip)) < 0)
    return rc;
  if ((rc = runScript(model_.updatePartial)) < 0) return rc;
  return sleepPanel();
}

}  // namespace cb::hal
