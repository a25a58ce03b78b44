// hal: each panel's command stream, data bytes included, against the reference table
// (hal/fake_eink_reference.cpp), and mutated model tables that must be caught.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

#include "hal/eink_display.hpp"
#include "hal/fake_eink.hpp"

using namespace cb::hal;
using namespace std::chrono_literals;

namespace {

// A calendar-like frame: white, with black bars (text lines) placed by `seed`.
std::vector<std::uint32_t> page(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint32_t> px(std::size_t(w) * std::size_t(h), 0xffffffffu);
  for (int line = 0; line < 12; ++line) {
    const int y0 = int(rng() % unsigned(h - 12)), x0 = int(rng() % unsigned(w / 2));
    const int len = 20 + int(rng() % unsigned(w / 2 - 20));
    for (int y = y0; y < y0 + 9; ++y)
      for (int x = x0; x < x0 + len; ++x) px[std::size_t(y * w + x)] = 0xff101010u;
  }
  return px;
}

std::uint64_t hashOf(const std::vector<std::uint32_t>& px) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::uint32_t p : px) h = (h ^ p) * 1099511628211ull;
  return h;
}

// The byte-aligned bounding box of the pixels that differ (the partial window).
Region changed(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b, int w) {
  int x0 = w, y0 = -1, x1 = -1, y1 = -1;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) {
      const int x = int(i % std::size_t(w)), y = int(i / std::size_t(w));
      x0 = std::min(x0, x), x1 = std::max(x1, x);
      if (y0 < 0) y0 = y;
      y1 = y;
    }
  x0 -= x0 % 8;
  x1 += 7 - x1 % 8;
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

// What went wrong when `model` drives the simulated panel of `panel` through a full
// refresh and (where the reference has one) a partial one, then shuts down.
std::vector<std::string> verdict(const EinkModel& model, std::string_view panel) {
  std::vector<std::string> out;
  const ControllerSpec& spec = *findController(panel);
  FakeMonotonicClock clock;
  PanelSpec ps;
  ps.controller = &spec;
  PanelSimulator sim(ps, clock);
  EinkSettings s;
  s.busyTimeoutSeconds = 10;
  auto display =
      std::make_unique<EinkDisplay>(model, s, 0, Fit::Center, sim.spi(), sim.pins(), clock);
  const int w = spec.width, h = spec.height;
  auto px = page(w, h, 1);
  const auto first = expectedPanel(Image{px, w, h, w, 0, {}}, 0, w, h);
  if (const int rc = display->show(Image{px, w, h, w, hashOf(px), {}}); rc != 0)
    out.push_back(fmt::format("full refresh: show() = {}", rc));
  const auto full = streamOf(sim.recording());
  const auto wantFull = expectedStream(spec, false, {}, first, {});
  if (full != wantFull) {
    std::size_t i = 0;
    while (i < full.size() && i < wantFull.size() && full[i] == wantFull[i]) ++i;
    out.push_back(fmt::format("full stream differs at step {}: ours {}, reference {}", i,
                              i < full.size() ? full[i].describe() : "(end)",
                              i < wantFull.size() ? wantFull[i].describe() : "(end)"));
  }
  if (sim.glass() != first) out.push_back("full refresh: the glass differs from the frame");
  if (!spec.partial.empty()) {
    sim.clearRecording();
    for (int y = 120; y < 150; ++y)
      for (int x = 101; x < 190; ++x) px[std::size_t(y * w + x)] ^= 0x00ffffff;
    clock.advance(5min);
    const auto second = expectedPanel(Image{px, w, h, w, 0, {}}, 0, w, h);
    if (const int rc = display->show(Image{px, w, h, w, hashOf(px), {}}); rc != 0)
      out.push_back(fmt::format("partial refresh: show() = {}", rc));
    if (display->lastRefresh() != RefreshDecision::Kind::Partial)
      out.push_back("the second frame was not a partial refresh");
    const auto part = streamOf(sim.recording());
    const auto wantPart = expectedStream(spec, true, first, second, changed(first, second, w));
    if (part != wantPart) {
      std::size_t i = 0;
      while (i < part.size() && i < wantPart.size() && part[i] == wantPart[i]) ++i;
      out.push_back(fmt::format("partial stream differs at step {}: ours {}, reference {}", i,
                                i < part.size() ? part[i].describe() : "(end)",
                                i < wantPart.size() ? wantPart[i].describe() : "(end)"));
    }
    if (sim.glass() != second) out.push_back("partial refresh: the glass differs from the frame");
  }
  display.reset();  // exit: power cut no sooner than 2 s after the deep sleep
  for (const std::string& e : sim.errors()) out.push_back("simulator: " + e);
  return out;
}

// `script` with the data of the first `cmd` replaced by `bytes` (same length).
std::vector<std::uint8_t> patched(std::span<const std::uint8_t> script, std::uint8_t cmd,
                                  std::vector<std::uint8_t> bytes) {
  std::vector<std::uint8_t> out(script.begin(), script.end());
  for (std::size_t i = 0; i < out.size();) {
    if (out[i] == kEinkWaitIdle) {
      ++i;
    } else if (out[i] == kEinkDelayMs) {
      i += 2;
    } else {
      const std::size_t n = out[i + 1];
      if (out[i] == cmd) {
        REQUIRE(n == bytes.size());
        std::copy(bytes.begin(), bytes.end(), out.begin() + std::ptrdiff_t(i + 2));
        return out;
      }
      i += 2 + n;
    }
  }
  FAIL("command not in the script");
  return out;
}

struct Mutation {
  const char* what;
  std::function<void(EinkModel&, std::vector<std::vector<std::uint8_t>>&)> apply;
};

// A script mutation: keeps the patched copy alive in `keep` and points the model at it.
auto script(std::span<const std::uint8_t> EinkModel::*field, std::uint8_t cmd,
            std::vector<std::uint8_t> bytes) {
  return [=](EinkModel& m, std::vector<std::vector<std::uint8_t>>& keep) {
    keep.push_back(patched(m.*field, cmd, bytes));
    m.*field = keep.back();
  };
}

void expectCaught(const char* panel, const std::vector<Mutation>& mutations) {
  for (const Mutation& mu : mutations) {
    INFO(panel << ": " << mu.what);
    EinkModel m = *findEinkModel(panel);
    std::vector<std::vector<std::uint8_t>> keep;
    keep.reserve(4);
    mu.apply(m, keep);
    const auto v = verdict(m, panel);
    for (const auto& line : v) UNSCOPED_INFO(line);
    CHECK_FALSE(v.empty());
    if (std::getenv("CB_EINK_TABLE") != nullptr && !v.empty())  // for the report
      fmt::print("{}: {}: {} ({} findings)\n", panel, mu.what, v.front(), v.size());
  }
}

}  // namespace

TEST_CASE("e-ink streams: every panel matches its reference, full and partial", "[hal][eink]") {
  for (const EinkModel& m : einkModels()) {
    INFO(m.name);
    REQUIRE(findController(m.name) != nullptr);
    const auto v = verdict(m, m.name);
    for (const auto& line : v) FAIL_CHECK(line);
    CHECK(v.empty());
  }
  // Partial refresh exactly where the reference has one we use.
  CHECK(findEinkModel("7in5_v2")->supportsPartial());
  CHECK_FALSE(findEinkModel("4in2")->supportsPartial());
  CHECK(findEinkModel("4in2_v2")->supportsPartial());
}

TEST_CASE("e-ink streams: black text on white, on every panel", "[hal][eink]") {
  for (const EinkModel& m : einkModels()) {
    INFO(m.name);
    FakeMonotonicClock clock;
    PanelSimulator sim(panelSpecFor(m), clock);
    EinkDisplay d(m, {}, 0, Fit::Center, sim.spi(), sim.pins(), clock);
    // White with one black 16×8 block at the top left.
    std::vector<std::uint32_t> px(std::size_t(m.width) * std::size_t(m.height), 0xffffffffu);
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 16; ++x) px[std::size_t(y * m.width + x)] = 0xff000000u;
    REQUIRE(d.show(Image{px, m.width, m.height, m.width, 7, {}}) == 0);
    const auto& g = sim.glass();
    CHECK(g[0] == 1);
    CHECK(g[15] == 1);
    CHECK(g[16] == 0);
    CHECK(std::count(g.begin(), g.end(), 1) == 16 * 8);
    for (const auto& e : sim.errors()) FAIL_CHECK(e);
  }
}

TEST_CASE("e-ink streams: mutated 7.5\" V2 tables are caught", "[hal][eink]") {
  using M = EinkModel;
  expectCaught(
      "7in5_v2",
      {
          {"polarity", [](M& m, auto&) { m.fullOneIsBlack = !m.fullOneIsBlack; }},
          {"partial polarity", [](M& m, auto&) { m.partialOneIsBlack = !m.partialOneIsBlack; }},
          {"BUSY level", [](M& m, auto&) { m.busyLevel = 1 - m.busyLevel; }},
          {"VCOM/data interval", script(&M::initFull, 0x50, {0x10, 0x17})},
          {"reset length 0", [](M& m, auto&) { m.reset.lowMs = 0; }},
          {"power setting zeroed", script(&M::initFull, 0x01, {0, 0, 0, 0})},
          {"booster zeroed", script(&M::initFull, 0x06, {0, 0, 0, 0})},
      });
}

TEST_CASE("e-ink streams: mutated 4.2\" V1 tables are caught", "[hal][eink]") {
  using M = EinkModel;
  expectCaught("4in2", {
                           {"polarity", [](M& m, auto&) { m.fullOneIsBlack = !m.fullOneIsBlack; }},
                           {"BUSY level", [](M& m, auto&) { m.busyLevel = 1 - m.busyLevel; }},
                           {"VCOM -2.1 V", script(&M::initFull, 0x82, {0x28})},
                           {"data interval 0x87", script(&M::initFull, 0x50, {0x87})},
                           {"reset length 0", [](M& m, auto&) { m.reset.lowMs = 0; }},
                           {"one reset pulse", [](M& m, auto&) { m.reset.pulses = 1; }},
                           {"power setting", script(&M::initFull, 0x01, {0x03, 0x00, 0x26, 0x26})},
                       });
}

TEST_CASE("e-ink streams: mutated 4.2\" V2 tables are caught", "[hal][eink]") {
  using M = EinkModel;
  expectCaught(
      "4in2_v2",
      {
          {"polarity", [](M& m, auto&) { m.fullOneIsBlack = !m.fullOneIsBlack; }},
          {"partial polarity", [](M& m, auto&) { m.partialOneIsBlack = !m.partialOneIsBlack; }},
          {"BUSY level", [](M& m, auto&) { m.busyLevel = 1 - m.busyLevel; }},
          {"RAM options (polarity register)", script(&M::initFull, 0x21, {0x48, 0x00})},
          {"reset length 0", [](M& m, auto&) { m.reset.lowMs = 0; }},
          {"analog left on (power)", script(&M::updateFull, 0x22, {0xF5})},
          {"border", script(&M::initFull, 0x3C, {0x01})},
      });
}

// Prints the comparison table (our stream against the reference, step by step):
//   CB_EINK_TABLE=1 build/tests/hal/test_hal "[.table]"
TEST_CASE("e-ink streams: comparison table", "[.table]") {
  if (std::getenv("CB_EINK_TABLE") == nullptr) return;
  for (const ControllerSpec& c : controllers()) {
    for (bool partial : {false, true}) {
      const auto& steps = partial ? c.partial : c.full;
      if (steps.empty()) continue;
      fmt::print("\n{} ({}), {} refresh; BUSY {} = busy ({}); reset {} x {} ms low ({})\n\n",
                 c.panel, c.controller, partial ? "partial" : "full", c.busyLevel ? "high" : "low",
                 c.busyCite, c.resetPulses, c.minLowMs, c.resetCite);
      fmt::print("| step | reference | ours | source |\n|---|---|---|---|\n");
      for (const RefStep& s : steps) {
        std::string what;
        switch (s.op) {
          case RefStep::Op::Reset:
            what = "reset";
            break;
          case RefStep::Op::Wait:
            what = "wait BUSY";
            break;
          case RefStep::Op::UcWindow:
            what = fmt::format("0x{:02X} window …, 0x{:02X}", s.cmd, s.bytes.at(0));
            break;
          case RefStep::Op::Data:
            what = fmt::format("0x{:02X} {} {}{}", s.cmd,
                               s.source == RefStep::Source::Zeros ? "zeros"
                               : s.source == RefStep::Source::Old ? "old image"
                                                                  : "new image",
                               s.oneIsBlack ? "1=black" : "1=white", s.window ? " (window)" : "");
            break;
          case RefStep::Op::Cmd:
            what = fmt::format("0x{:02X}", s.cmd);
            if (!s.bytes.empty())
              what += s.bytes.size() > 8 ? fmt::format(" ({} bytes)", s.bytes.size())
                                         : fmt::format(" {:02X}", fmt::join(s.bytes, " "));
            break;
        }
        const bool ref = s.who != RefStep::Who::OursOnly,
                   ours = s.who != RefStep::Who::ReferenceOnly;
        fmt::print("| {} | {} | {} | {}{}{} |\n", what, ref ? "yes" : "—", ours ? "same" : "—",
                   s.cite, s.note.empty() ? "" : " — ", s.note);
      }
    }
  }
}
