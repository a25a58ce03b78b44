// hal: the e-ink driver against a panel simulator that decodes its SPI/GPIO stream.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "hal/eink_display.hpp"
#include "hal/fake_eink.hpp"
#include "hal/fake_sys.hpp"

using namespace cb::hal;
using namespace std::chrono_literals;

namespace {

// A frame of blocks in dark (luma < 0x60) and light (> 0xA0) tones, never near the
// threshold, so the expected panel image is unambiguous.
std::vector<std::uint32_t> blocks(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint32_t> px;
  px.resize(std::size_t(w) * std::size_t(h));
  for (int by = 0; by < h; by += 7)
    for (int bx = 0; bx < w; bx += 5) {
      const bool dark = rng() % 2;
      const std::uint32_t v = dark ? rng() % 0x50 : 0xB0 + rng() % 0x50;
      const std::uint32_t c = 0xff000000u | v << 16 | v << 8 | v;
      for (int y = by; y < std::min(h, by + 7); ++y)
        for (int x = bx; x < std::min(w, bx + 5); ++x) px[std::size_t(y * w + x)] = c;
    }
  return px;
}

std::uint64_t hashOf(const std::vector<std::uint32_t>& px) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::uint32_t p : px) h = (h ^ p) * 1099511628211ull;
  return h;
}

struct Rig {
  explicit Rig(const char* modelName = "7in5_v2", EinkSettings s = {}, int rotation = 0)
      : model(*findEinkModel(modelName)), sim(panelSpecFor(model), clock) {
    s.model = modelName;
    display = std::make_unique<EinkDisplay>(model, s, rotation, Fit::Center, sim.spi(), sim.pins(),
                                            clock);
  }
  // Shows a frame 5 minutes after the previous one (the daemon offers one a minute;
  // the pacing tests in test_eink_policy.cpp take smaller steps).
  int show(const std::vector<std::uint32_t>& px, int w, int h, Region damage = {}) {
    clock.advance(5min);
    return display->show(Image{px, w, h, w, hashOf(px), damage});
  }
  void checkGlass(const std::vector<std::uint32_t>& px, int w, int h, int rotation = 0) {
    const auto want = expectedPanel(Image{px, w, h, w, 0, {}}, rotation, model.width, model.height);
    const auto& got = sim.glass();
    REQUIRE(got.size() == want.size());
    std::size_t bad = 0, first = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
      if (got[i] != want[i] && bad++ == 0) first = i;
    INFO("first difference at " << first % std::size_t(model.width) << ","
                                << first / std::size_t(model.width));
    CHECK(bad == 0);
  }

  const EinkModel& model;
  FakeMonotonicClock clock;
  PanelSimulator sim;
  std::unique_ptr<EinkDisplay> display;
};

}  // namespace

TEST_CASE("e-ink 7.5\": a full refresh shows the thresholded frame, in datasheet order",
          "[hal][eink]") {
  Rig r;
  const auto px = blocks(800, 480, 1);
  REQUIRE(r.show(px, 800, 480) == 0);
  CHECK(r.sim.errors().empty());
  for (const auto& e : r.sim.errors()) INFO(e);
  r.checkGlass(px, 800, 480);
  CHECK(r.sim.fullRefreshes() == 1);
  CHECK(r.sim.asleep());
  CHECK(r.display->lastRefresh() == RefreshDecision::Kind::Full);
  // At exit the power goes off 2 s after the deep sleep, not sooner (the simulator checks).
  const auto before = r.clock.now();
  r.display.reset();
  CHECK(r.sim.trace().back() == "pwr off");
  CHECK(r.clock.now() - before >= 1s);
  CHECK(r.sim.errors().empty());
}

TEST_CASE("e-ink 7.5\": a portrait frame rotated onto the landscape panel", "[hal][eink]") {
  for (int rotation : {90, 270}) {
    INFO("rotation " << rotation);
    Rig r("7in5_v2", {}, rotation);
    const auto px = blocks(480, 800, 2);
    REQUIRE(r.show(px, 480, 800) == 0);
    CHECK(r.sim.errors().empty());
    r.checkGlass(px, 480, 800, rotation);
  }
}

TEST_CASE("e-ink 7.5\": a changed region gets a partial refresh of a byte-aligned window",
          "[hal][eink]") {
  Rig r;
  auto px = blocks(800, 480, 3);
  REQUIRE(r.show(px, 800, 480) == 0);
  r.sim.clearTrace();
  // Repaint x 101..150, y 200..230 with the inverse tone.
  for (int y = 200; y <= 230; ++y)
    for (int x = 101; x <= 150; ++x) px[std::size_t(y * 800 + x)] ^= 0x00ffffff;
  REQUIRE(r.show(px, 800, 480, {101, 200, 50, 31}) == 0);
  for (const auto& e : r.sim.errors()) FAIL_CHECK(e);
  r.checkGlass(px, 800, 480);
  CHECK(r.display->lastRefresh() == RefreshDecision::Kind::Partial);
  CHECK(r.sim.partialRefreshes() == 1);
  CHECK(r.sim.trace().back() == "sleep");
}

TEST_CASE("e-ink: unchanged frames cost nothing", "[hal][eink]") {
  Rig r;
  auto px = blocks(800, 480, 4);
  REQUIRE(r.show(px, 800, 480) == 0);
  r.sim.clearTrace();
  REQUIRE(r.show(px, 800, 480) == 0);  // same hash
  CHECK(r.sim.trace().empty());
  // A different frame whose change the threshold erases: dark stays dark.
  for (auto& p : px)
    if ((p & 0xff) < 0x50) p = (p & 0xff000000u) | 0x000a0a0a;
  REQUIRE(r.show(px, 800, 480) == 0);
  CHECK(r.sim.trace().empty());
  CHECK(r.display->lastRefresh() == RefreshDecision::Kind::Skip);
  // invalidate(): a full refresh even though nothing changed.
  r.display->invalidate();
  REQUIRE(r.show(px, 800, 480) == 0);
  CHECK(r.display->lastRefresh() == RefreshDecision::Kind::Full);
  CHECK(r.sim.fullRefreshes() == 2);
  CHECK(r.sim.errors().empty());
}

TEST_CASE("e-ink: full refresh every N partials and every M hours", "[hal][eink]") {
  EinkSettings s;
  s.fullEveryPartials = 3;
  s.fullEveryHours = 1;
  Rig r("7in5_v2", s);
  auto px = blocks(800, 480, 5);
  REQUIRE(r.show(px, 800, 480) == 0);
  using K = RefreshDecision::Kind;
  std::vector<K> kinds;
  for (int i = 0; i < 5; ++i) {
    px[std::size_t(10 * 800 + 8 * i)] ^= 0x00ffffff;
    REQUIRE(r.show(px, 800, 480) == 0);
    kinds.push_back(r.display->lastRefresh());
  }
  CHECK(kinds == std::vector<K>{K::Partial, K::Partial, K::Partial, K::Full, K::Partial});
  r.clock.advance(1h);
  px[0] ^= 0x00ffffff;
  REQUIRE(r.show(px, 800, 480) == 0);
  CHECK(r.display->lastRefresh() == K::Full);
  for (const auto& e : r.sim.errors()) FAIL_CHECK(e);
  r.checkGlass(px, 800, 480);
}

TEST_CASE("e-ink 4.2\" V1: full refresh only, rotated and centred", "[hal][eink]") {
  Rig r("4in2", {}, 270);
  auto px = blocks(300, 400, 6);
  REQUIRE(r.show(px, 300, 400) == 0);
  for (const auto& e : r.sim.errors()) FAIL_CHECK(e);
  r.checkGlass(px, 300, 400, 270);
  px[0] ^= 0x00ffffff;
  REQUIRE(r.show(px, 300, 400, {0, 0, 1, 1}) == 0);
  CHECK(r.display->lastRefresh() == RefreshDecision::Kind::Full);
  CHECK(r.sim.partialRefreshes() == 0);
  CHECK(r.sim.errors().empty());
  r.checkGlass(px, 300, 400, 270);
  // A smaller frame is centred on white.
  Rig small("4in2");
  const auto tiny = blocks(100, 60, 7);
  REQUIRE(small.show(tiny, 100, 60) == 0);
  small.checkGlass(tiny, 100, 60);
}

TEST_CASE("e-ink: a stuck BUSY line is an error after the time-out, not a hang", "[hal][eink]") {
  EinkSettings s;
  s.busyTimeoutSeconds = 5;
  Rig r("7in5_v2", s);
  auto px = blocks(800, 480, 8);
  r.sim.setStuckBusy(true);
  CHECK(r.show(px, 800, 480) == -ETIMEDOUT);
  CHECK(r.clock.slept() >= 5s);
  CHECK(r.clock.slept() < 10s);
  // High voltage is not left on: power off and deep sleep are sent all the same, and
  // the power is cut (2 s later).
  const auto stream = streamOf(r.sim.recording());
  const auto has = [&](std::uint8_t c, std::vector<std::uint8_t> b) {
    return std::find(stream.begin(), stream.end(),
                     StreamToken{StreamToken::Kind::Cmd, c, 0, std::move(b)}) != stream.end();
  };
  CHECK(has(0x02, {}));
  CHECK(has(0x07, {0xA5}));
  CHECK_FALSE(r.sim.powered());
  // The panel comes back: the next frame is a full refresh.
  r.sim.setStuckBusy(false);
  r.sim.clearErrors();
  r.sim.clearTrace();
  REQUIRE(r.show(px, 800, 480) == 0);
  CHECK(r.display->lastRefresh() == RefreshDecision::Kind::Full);
  for (const auto& e : r.sim.errors()) FAIL_CHECK(e);
  r.checkGlass(px, 800, 480);
}

TEST_CASE("e-ink: the recorded bus stream replays to the same picture", "[hal][eink]") {
  Rig r;
  auto px = blocks(800, 480, 9);
  REQUIRE(r.show(px, 800, 480) == 0);
  for (int y = 40; y < 90; ++y)
    for (int x = 300; x < 420; ++x) px[std::size_t(y * 800 + x)] ^= 0x00ffffff;
  REQUIRE(r.show(px, 800, 480) == 0);
  REQUIRE(r.sim.partialRefreshes() == 1);
  const std::vector<BusEvent> recording = r.sim.recording();

  FakeMonotonicClock clock;  // the same start as the rig's
  PanelSimulator replayed(panelSpecFor(r.model), clock);
  replayed.replay(recording);
  for (const auto& e : replayed.errors()) FAIL_CHECK(e);
  CHECK(replayed.trace() == r.sim.trace());
  CHECK(replayed.glass() == r.sim.glass());
  r.checkGlass(px, 800, 480);

  // One wrong bit of old data in the partial refresh is caught.
  std::vector<BusEvent> corrupted = recording;
  int dataStarts = 0;
  for (std::size_t i = 0; i + 1 < corrupted.size(); ++i)
    if (corrupted[i].kind == BusEvent::Kind::Spi &&
        corrupted[i].bytes == std::vector<std::uint8_t>{0x10} && ++dataStarts == 2) {
      for (std::size_t j = i + 1; j < corrupted.size(); ++j)
        if (corrupted[j].kind == BusEvent::Kind::Spi && corrupted[j].bytes.size() > 1) {
          corrupted[j].bytes[0] ^= 0x01;
          break;
        }
      break;
    }
  REQUIRE(dataStarts == 2);
  FakeMonotonicClock clock2;
  PanelSimulator broken(panelSpecFor(r.model), clock2);
  broken.replay(corrupted);
  REQUIRE_FALSE(broken.errors().empty());
  CHECK(broken.errors()[0].find("old data differs from the glass in 1 pixels") !=
        std::string::npos);
}

TEST_CASE("e-ink: the simulator catches a driver that breaks the protocol", "[hal][eink]") {
  // Drive the simulator by hand the wrong way: no reset, then a command while busy.
  FakeMonotonicClock clock;
  PanelSimulator sim(panelSpecFor(*findEinkModel("7in5_v2")), clock);
  auto spi = sim.spi();
  auto pins = sim.pins();
  const std::uint8_t powerOn = 0x04, refresh = 0x12;
  REQUIRE(pins.pwr->set(true) == 0);
  REQUIRE(spi->write({&powerOn, 1}) == 0);
  CHECK(sim.errors().back().find("before the first hardware reset") != std::string::npos);
  REQUIRE(pins.rst->set(false) == 0);
  REQUIRE(pins.rst->set(true) == 0);
  REQUIRE(pins.dc->set(false) == 0);
  REQUIRE(spi->write({&powerOn, 1}) == 0);
  REQUIRE(spi->write({&refresh, 1}) == 0);
  CHECK(sim.errors().back().find("while BUSY") != std::string::npos);
}

TEST_CASE("spidev: transfers are chunked to the driver's buffer size", "[hal][eink]") {
  FakeSys sys;
  sys.addSpidev("/dev/spidev0.0");
  std::string error;
  auto bus = SpidevBus::create(sys, "/dev/spidev0.0", 4'000'000, error, 4096);
  REQUIRE(bus);
  CHECK(sys.spiSpeed("/dev/spidev0.0") == 4'000'000);
  std::vector<std::uint8_t> bytes(10000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = std::uint8_t(i * 7);
  REQUIRE(bus->write(bytes) == 0);
  const auto& t = sys.spiTransfers("/dev/spidev0.0");
  REQUIRE(t.size() == 3);
  CHECK(t[0].size() == 4096);
  CHECK(t[1].size() == 4096);
  CHECK(t[2].size() == 1808);
  std::vector<std::uint8_t> joined;
  for (const auto& c : t) joined.insert(joined.end(), c.begin(), c.end());
  CHECK(joined == bytes);

  sys.deny("/dev/spidev0.1", EACCES);
  CHECK_FALSE(SpidevBus::create(sys, "/dev/spidev0.1", 4'000'000, error));
  CHECK(error.find("group spi") != std::string::npos);
  CHECK_FALSE(SpidevBus::create(sys, "/dev/spidev9.9", 4'000'000, error));
  CHECK(error.find("dtparam=spi=on") != std::string::npos);
}
