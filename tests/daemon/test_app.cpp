// daemon: App keeps the last good data, marks stale sources, skips unchanged frames; the governor.
#include <catch2/catch.hpp>

#include <deque>

#include "daemon/app.hpp"
#include "daemon/governor.hpp"
#include "support.hpp"

using namespace cb;
using namespace cb::daemon;
using namespace std::chrono;

namespace {

struct FakeDisplay final : hal::Display {
  std::vector<std::uint64_t> shown;
  int fail = 0;
  int show(const hal::Image& image) override {
    if (fail) return fail;
    shown.push_back(image.hash);
    return 0;
  }
  std::string describe() const override { return "fake"; }
};

// Completes each start() with the next scripted outcome on process().
struct ScriptedLoader final : FeedLoader {
  std::deque<FetchResult> script;
  std::vector<std::pair<std::function<void(FetchResult)>, FetchResult>> pending;
  int started = 0;
  void start(const SourceConfig&, const ics::IngestOptions&,
             std::function<void(FetchResult)> done) override {
    ++started;
    FetchResult o = std::move(script.front());
    script.pop_front();
    pending.emplace_back(std::move(done), std::move(o));
  }
  std::vector<pollfd> pollFds() const override { return {}; }
  int timeoutMs() const override { return pending.empty() ? -1 : 0; }
  void process(std::span<const pollfd>) override {
    auto p = std::move(pending);
    pending.clear();
    for (auto& [done, o] : p) done(std::move(o));
  }
  void cancelAll() override { pending.clear(); }
};

FetchResult updated(const std::string& file, ics::Instant now) {
  ics::IngestOptions o;
  o.displayZone = ics::TimeZone::locate("Europe/Berlin");
  o.now = now;
  ics::LoadResult r = ics::loadFile(test::fixture(file), o);
  REQUIRE(r.error.empty());
  FetchResult out;
  out.kind = FetchResult::Kind::Updated;
  out.store = std::move(r.store);
  return out;
}

FetchResult failed(std::string why) {
  FetchResult out;
  out.error = std::move(why);
  return out;
}

Config testConfig() {
  Config c;
  c.timezone = "Europe/Berlin";
  c.sources = {SourceConfig{"work", "https://example.com/cal.ics", minutes{5}}};
  return c;
}

}  // namespace

TEST_CASE("a failed fetch keeps the last good data; stale data is marked offline", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  auto display = std::make_unique<FakeDisplay>();
  FakeDisplay& screen = *display;
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  feed.script.push_back(updated("meeting-day.ics", start));
  feed.script.push_back(failed("work: https://example.com/…: HTTP 500"));
  feed.script.push_back(failed("work: https://example.com/…: timed out"));
  App app(testConfig(), clock, std::move(display), std::move(loader));

  CHECK(app.renderNow());  // no data yet: "waiting" screen
  app.refreshDue();
  CHECK(app.fetching());
  feed.process({});
  CHECK_FALSE(app.fetching());
  CHECK(app.takeDirty());
  REQUIRE(app.sources()[0].store);
  const std::size_t events = app.sources()[0].store->eventCount();
  CHECK(events > 0);
  CHECK(app.renderNow());
  CHECK_FALSE(app.renderNow());  // unchanged frame: not shown again
  CHECK(app.statusLine().find("next: 10:00 Design review") != std::string::npos);

  clock.advance(minutes{5});
  app.refreshDue();
  feed.process({});
  REQUIRE(app.sources()[0].store);
  CHECK(app.sources()[0].store->eventCount() == events);
  CHECK(app.sources()[0].failures == 1);
  // Retries back off but never wait longer than the refresh interval.
  CHECK(app.sources()[0].nextFetch - clock.now() <= minutes{5});
  CHECK(app.sources()[0].nextFetch - clock.now() >= seconds{5});

  clock.advance(minutes{6});  // 11 minutes after the last success: > 2 × 5 minutes
  app.refreshDue();
  feed.process({});
  const std::size_t before = screen.shown.size();
  CHECK(app.renderNow());  // the offline line changed the frame
  CHECK(screen.shown.size() == before + 1);
  CHECK(app.statusLine().find("1 offline") != std::string::npos);
  CHECK(feed.started == 3);
}

TEST_CASE("a reload keeps the stores of unchanged sources", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  feed.script.push_back(updated("meeting-day.ics", start));
  App app(testConfig(), clock, std::make_unique<FakeDisplay>(), std::move(loader));
  app.refreshDue();
  feed.process({});
  Config next = testConfig();
  next.sources.push_back(SourceConfig{"home", "/tmp/home.ics", minutes{30}});
  next.cycle = {"4x8"};
  app.applyConfig(std::move(next), nullptr);
  REQUIRE(app.sources().size() == 2);
  CHECK(app.sources()[0].store);
  CHECK_FALSE(app.sources()[1].store);
  CHECK(app.config().cycle == std::vector<std::string>{"4x8"});
}

TEST_CASE("the governor sheds in two steps against a tiny target", "[daemon]") {
  std::uint64_t rss = 5 << 20;
  std::vector<std::string> calls;
  Governor g(
      10 << 20, [&] { return rss; },
      Governor::Actions{
          .dropRenderCaches = [&] { calls.push_back("render"); },
          .shrinkHorizon = [&] { calls.push_back("horizon"); },
          .resetFontCaches = [&] { calls.push_back("fonts"); },
          .trimHeap = [&] { calls.push_back("trim"); },
      });
  CHECK(g.sample() == Governor::Stage::Normal);
  CHECK(calls.empty());
  rss = 7 << 20;
  CHECK(g.sample() == Governor::Stage::Shed);
  CHECK(calls == std::vector<std::string>{"render"});
  CHECK(g.sample() == Governor::Stage::Shed);  // no repeat while it stays there
  CHECK(calls.size() == 1);
  rss = 9 << 20;
  CHECK(g.sample() == Governor::Stage::Critical);
  CHECK(calls == std::vector<std::string>{"render", "render", "horizon", "fonts", "trim"});
  rss = 1 << 20;
  CHECK(g.sample() == Governor::Stage::Normal);

  // The real process, against a 1 MB target, is critical at once.
  int trims = 0;
  Governor real(1 << 20, readRssBytes, Governor::Actions{.trimHeap = [&] { ++trims; }});
  CHECK(readRssBytes() > (1u << 20));
  CHECK(real.sample() == Governor::Stage::Critical);
  CHECK(trims == 1);
}
