// daemon: the event loop turns button presses into layout changes, refreshes and full redraws.
#include <signal.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <deque>

#include "daemon/loop.hpp"
#include "hal/fake_gpio.hpp"
#include "support.hpp"

using namespace cb;
using namespace cb::daemon;
using namespace std::chrono;

namespace {

struct RecordingDisplay final : hal::Display {
  std::vector<std::uint64_t> shown;
  int invalidations = 0;
  std::function<void()> afterShow;
  int show(const hal::Image& image) override {
    if (image.unchanged) return 0;  // the panel has it
    shown.push_back(image.hash);
    if (afterShow) afterShow();
    return 0;
  }
  std::string describe() const override { return "recording"; }
  void invalidate() override { ++invalidations; }
};

// Completes every fetch on the next process(): "not modified", or with `fixture`'s calendar.
struct CountingLoader final : FeedLoader {
  explicit CountingLoader(std::string fixtureName = {}) : fixture(std::move(fixtureName)) {}
  int started = 0;
  std::string fixture;
  ics::IngestOptions options;
  std::deque<std::function<void(FetchResult)>> pending;
  void start(const SourceConfig&, const ics::IngestOptions& o,
             std::function<void(FetchResult)> done) override {
    ++started;
    options = o;
    pending.push_back(std::move(done));
  }
  std::vector<pollfd> pollFds() const override { return {}; }
  int timeoutMs() const override { return pending.empty() ? -1 : 0; }
  void process(std::span<const pollfd>) override {
    while (!pending.empty()) {
      auto done = std::move(pending.front());
      pending.pop_front();
      FetchResult result;
      result.kind = FetchResult::Kind::NotModified;
      if (!fixture.empty()) {
        ics::LoadResult r = ics::loadFile(test::fixture(fixture), options);
        REQUIRE(r.error.empty());
        result.kind = FetchResult::Kind::Updated;
        result.store = std::move(r.store);
      }
      done(std::move(result));
    }
  }
  void cancelAll() override { pending.clear(); }
};

// Monotonic time that moves 20 ms each time it is read, so debouncing and the
// long press complete in a few loop turns without real waiting.
struct SteppingClock final : hal::MonotonicClock {
  mutable nanoseconds t{seconds{100}};
  nanoseconds now() const override { return t += milliseconds{20}; }
  void sleepFor(nanoseconds d) override { t += d; }
};

struct SilentNotifier final : Notifier {
  std::vector<std::string> said;
  void notify(std::string_view s) override { said.emplace_back(s); }
  std::optional<microseconds> watchdogPeriod() const override { return std::nullopt; }
};

}  // namespace

TEST_CASE("a short press cycles the layout, a long press refreshes everything", "[daemon]") {
  hal::FakeClock clock(sys_seconds{sys_days{year{2025} / 3 / 10}} + hours{8});
  SteppingClock mono;
  auto display = std::make_unique<RecordingDisplay>();
  RecordingDisplay& screen = *display;
  auto loader = std::make_unique<CountingLoader>();
  CountingLoader& feeds = *loader;
  Config config;
  config.sources = {SourceConfig{"work", "/nonexistent.ics", minutes{5}}};
  config.cycle = {"whats-next", "4x8"};
  config.button = hal::ButtonConfig{};
  config.button->longPressMs = 400;
  App app(config, clock, std::move(display), std::move(loader));

  // When the loop opens the button (line released), script a bouncy short press,
  // then a press held past the long-press time.
  LoopOptions options;
  options.openButton = [](const Config& c, hal::MonotonicClock& m) {
    auto line = std::make_unique<hal::FakeEdgeLine>(1);
    hal::FakeEdgeLine& edges = *line;
    auto button = std::make_unique<hal::Button>(std::move(line), *c.button, m);
    const nanoseconds t0 = m.now();
    edges.bounce(0, t0 + milliseconds{1}, 5, milliseconds{2});
    edges.edge(1, t0 + milliseconds{150});
    edges.edge(0, t0 + milliseconds{300});
    return button;
  };
  // Stop once the long press's full redraw is out (SIGTERM is blocked and
  // pending, so the loop reads it from its signalfd on the next turn).
  screen.afterShow = [&] {
    if (screen.invalidations == 1) kill(getpid(), SIGTERM);
  };
  SilentNotifier notifier;
  CHECK(runDaemon(app, notifier, options, mono) == 0);
  REQUIRE(screen.shown.size() == 3);
  CHECK(screen.shown[0] != screen.shown[1]);  // whats-next, then 4x8
  CHECK(screen.shown[2] == screen.shown[1]);  // the same frame, redrawn whole
  CHECK(screen.invalidations == 1);
  CHECK(feeds.started == 2);  // the start-up fetch and the long press's forced one
  CHECK(notifier.said.front().rfind("READY=1", 0) == 0);
  CHECK(notifier.said.back() == "STOPPING=1");
}

namespace {

Config skipConfig() {
  Config config;
  config.timezone = "Europe/Berlin";
  config.sources = {SourceConfig{"work", "/nonexistent.ics", minutes{5}}};
  config.cycle = {"whats-next", "4x8"};
  config.button = hal::ButtonConfig{};
  return config;
}

}  // namespace

TEST_CASE("a double press skips the meeting the countdown serves, on the same layout", "[daemon]") {
  // 08:00 in Berlin: whats-next counts down to the 09:00 stand-up.
  const auto eight = sys_seconds{sys_days{year{2025} / 3 / 10}} + hours{7};
  hal::FakeClock clock(eight);

  // What the screen should end on, drawn by an App driven directly.
  auto expected = [&](bool press, bool skip) {
    auto display = std::make_unique<RecordingDisplay>();
    RecordingDisplay& screen = *display;
    auto loader = std::make_unique<CountingLoader>("golden-week.ics");
    CountingLoader& feed = *loader;
    App app(skipConfig(), clock, std::move(display), std::move(loader));
    app.refreshDue();
    feed.process({});
    if (press) app.nextLayout();  // the double press's first press
    if (skip) CHECK(app.skipCountdown());
    REQUIRE(app.renderNow());
    return screen.shown.back();
  };
  const std::uint64_t plain = expected(false, false);
  const std::uint64_t agenda = expected(true, false);
  const std::uint64_t skipped = expected(true, true);
  REQUIRE(plain != skipped);

  auto display = std::make_unique<RecordingDisplay>();
  RecordingDisplay& screen = *display;
  App app(skipConfig(), clock, std::move(display),
          std::make_unique<CountingLoader>("golden-week.ics"));
  SteppingClock mono;
  LoopOptions options;
  // A double press, 150 ms between the presses.
  options.openButton = [](const Config& c, hal::MonotonicClock& m) {
    auto line = std::make_unique<hal::FakeEdgeLine>(1);
    hal::FakeEdgeLine& edges = *line;
    auto button = std::make_unique<hal::Button>(std::move(line), *c.button, m);
    const nanoseconds t0 = m.now();
    edges.edge(0, t0 + milliseconds{2000});
    edges.edge(1, t0 + milliseconds{2100});
    edges.edge(0, t0 + milliseconds{2250});
    edges.edge(1, t0 + milliseconds{2350});
    return button;
  };
  // Three frames: waiting for data, the first press's 4x8, the double press's whats-next.
  screen.afterShow = [&] {
    if (screen.shown.size() == 3) kill(getpid(), SIGTERM);
  };
  SilentNotifier notifier;
  CHECK(runDaemon(app, notifier, options, mono) == 0);
  // The first press showed 4x8 at once; the second brought whats-next back, counting
  // down past the skipped stand-up.
  REQUIRE(screen.shown.size() == 3);
  CHECK(screen.shown[1] == agenda);
  CHECK(screen.shown[2] == skipped);
}
