// daemon: App keeps the last good data, marks stale sources, skips unchanged frames; the governor.
#include <fmt/chrono.h>

#include <catch2/catch.hpp>

#include <linux/kd.h>

#include <cstring>
#include <deque>

#include "daemon/app.hpp"
#include "daemon/frame_digest.hpp"
#include "daemon/governor.hpp"
#include "hal/fake_sys.hpp"
#include "hal/fb_display.hpp"
#include "support.hpp"

using namespace cb;
using namespace cb::daemon;
using namespace std::chrono;

namespace {

struct FakeDisplay final : hal::Display {
  std::vector<std::uint64_t> shown;
  std::vector<hal::Region> damages;
  std::vector<render::Frame> frames;  // copies, when keepFrames
  bool keepFrames = false;
  int fail = 0;
  int holdBack = 0;  // the next n frames wait (e-ink pacing)
  bool held = false;
  int offered = 0;       // frames offered, not marked unchanged
  int offeredAgain = 0;  // frames offered marked unchanged
  bool repaint = false;  // the panel lost what it showed: an unchanged frame is shown whole
  bool whole = false;
  bool rewroteWhole() const override { return whole; }
  int show(const hal::Image& image) override {
    if (fail) return fail;
    whole = repaint;
    if (image.unchanged) {
      ++offeredAgain;
      if (!repaint) return 0;
    } else {
      ++offered;
    }
    held = holdBack > 0 && holdBack-- > 0;
    if (held) return 0;
    shown.push_back(image.hash);
    damages.push_back(image.damage);
    if (keepFrames) {
      render::Frame copy(image.width, image.height);
      for (int y = 0; y < image.height; ++y)
        std::copy_n(image.pixels.begin() + std::ptrdiff_t(y) * image.strideWords, image.width,
                    copy.pixels().begin() + std::ptrdiff_t(y) * image.width);
      frames.push_back(std::move(copy));
    }
    return 0;
  }
  std::string describe() const override { return "fake"; }
  bool pending() const override { return held; }
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

  CHECK(app.renderNow());       // no data yet: "waiting" screen
  CHECK(app.heapTrims() == 1);  // after the first frame
  app.refreshDue();
  CHECK(app.fetching());
  feed.process({});
  CHECK_FALSE(app.fetching());
  CHECK(app.takeDirty());
  REQUIRE(app.sources()[0].store);
  const std::size_t events = app.sources()[0].store->eventCount();
  CHECK(events > 0);
  CHECK(app.renderNow());
  CHECK(app.heapTrims() == 2);   // after the frame that follows new data
  CHECK_FALSE(app.renderNow());  // unchanged frame: not shown again
  CHECK(app.heapTrims() == 2);   // never per minute
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
  CHECK(app.heapTrims() == 2);  // failures bring no new data
}

TEST_CASE("an old snapshot is not 'offline' until a fetch fails", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T06:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  Config config = testConfig();
  config.stateDir = test::tempDir("app-offline").string();
  {
    auto loader = std::make_unique<ScriptedLoader>();
    loader->script.push_back(updated("meeting-day.ics", start));
    ScriptedLoader& feed = *loader;
    App app(config, clock, std::make_unique<FakeDisplay>(), std::move(loader));
    app.refreshDue();
    feed.process({});
    REQUIRE(app.sources()[0].store);
  }
  clock.advance(hours{2});  // a restart two hours later: the snapshot is 24 intervals old
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  feed.script.push_back(failed("work: https://example.com/…: cannot resolve the host name"));
  App app(config, clock, std::make_unique<FakeDisplay>(), std::move(loader));
  app.loadSnapshots();
  REQUIRE(app.sources()[0].store);
  CHECK_FALSE(app.offlineSince(clock.now()));  // not known to be offline yet
  app.refreshDue();
  feed.process({});
  REQUIRE(app.offlineSince(clock.now()));
  CHECK(*app.offlineSince(clock.now()) == start);
  CHECK(app.statusLine().find("1 offline") != std::string::npos);
}

TEST_CASE("the status line counts a recurring series as an event", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  ics::IngestOptions o;
  o.displayZone = ics::TimeZone::locate("Europe/Berlin");
  o.now = start;
  ics::Ingest ingest(o);
  ingest.feed(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:s\nDTSTART:20250310T090000Z\nDTEND:20250310T093000Z\n"
      "RRULE:FREQ=DAILY\nSUMMARY:Stand-up\nEND:VEVENT\nBEGIN:VEVENT\nUID:o\n"
      "DTSTART:20250310T110000Z\nDTEND:20250310T120000Z\nSUMMARY:Review\nEND:VEVENT\n"
      "END:VCALENDAR\n");
  FetchResult out;
  out.kind = FetchResult::Kind::Updated;
  out.store = ingest.finish();
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  feed.script.push_back(std::move(out));
  App app(testConfig(), clock, std::make_unique<FakeDisplay>(), std::move(loader));
  app.refreshDue();
  feed.process({});
  CHECK(app.statusLine().find("1 source, 2 events") == 0);
  CHECK(app.statusLine().find("next: 10:00 Stand-up") != std::string::npos);
}

TEST_CASE("damage comes from tile digests, not a copy of the last frame", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  auto display = std::make_unique<FakeDisplay>();
  FakeDisplay& screen = *display;
  screen.keepFrames = true;
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  feed.script.push_back(updated("meeting-day.ics", start));
  App app(testConfig(), clock, std::move(display), std::move(loader));
  app.refreshDue();
  feed.process({});
  REQUIRE(app.renderNow());
  const hal::Region& first = screen.damages.back();
  CHECK(first.x == 0);
  CHECK(first.y == 0);
  CHECK(first.width == app.config().width);
  CHECK(first.height == app.config().height);

  // A minute later the countdown changes: only the tiles around it are damaged,
  // and they cover every changed pixel.
  int partial = 0;
  for (int i = 0; i < 5; ++i) {
    clock.advance(minutes{1});
    if (!app.renderNow()) continue;
    const render::Frame& before = screen.frames[screen.frames.size() - 2];
    const render::Frame& after = screen.frames.back();
    const render::Rect exact = render::damage(before, after);
    const hal::Region& d = screen.damages.back();
    REQUIRE_FALSE(exact.empty());
    CHECK(d.x <= exact.x);
    CHECK(d.y <= exact.y);
    CHECK(d.x + d.width >= exact.x + exact.width);
    CHECK(d.y + d.height >= exact.y + exact.height);
    CHECK(exact.x - d.x < FrameDigest::kTile);
    CHECK(exact.y - d.y < FrameDigest::kTile);
    if (d.width * d.height < app.config().width * app.config().height) ++partial;
  }
  CHECK(partial > 0);

  // A forgotten digest (the governor, a long press) means a whole redraw.
  app.invalidateDisplay();
  clock.advance(minutes{1});
  REQUIRE(app.renderNow());
  CHECK(screen.damages.back().width == app.config().width);
  CHECK(screen.damages.back().height == app.config().height);

  // An unchanged frame spares the display, unless the display rewrites it whole (the
  // framebuffer: its console was reset, or its periodic whole rewrite is due).
  const std::size_t shown = screen.shown.size();
  CHECK_FALSE(app.renderNow());
  CHECK(screen.shown.size() == shown);
  CHECK(screen.offeredAgain == 1);
  screen.repaint = true;
  REQUIRE(app.renderNow());
  REQUIRE(screen.shown.size() == shown + 1);
  CHECK(screen.shown.back() == screen.shown[shown - 1]);  // the same frame, shown again
}

TEST_CASE("the other layouts are drawn off-screen once, and again after a reload", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  auto display = std::make_unique<FakeDisplay>();
  FakeDisplay& screen = *display;
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  feed.script.push_back(updated("meeting-day.ics", start));
  Config config = testConfig();
  config.cycle = {"whats-next", "4x8", "whats-next"};
  App app(config, clock, std::move(display), std::move(loader));
  app.refreshDue();
  feed.process({});
  REQUIRE(app.renderNow());
  const std::size_t shown = screen.shown.size();
  CHECK(app.prewarm() == 1);            // 4x8; whats-next is on the display already
  CHECK(app.prewarm() == 0);            // only once
  CHECK(screen.shown.size() == shown);  // off-screen: nothing reached the display
  app.nextLayout();
  CHECK(app.renderNow());  // the switch itself still shows the frame
  CHECK(screen.shown.size() == shown + 1);

  config.cycle = {"4x8", "whats-next"};
  app.applyConfig(config, nullptr);
  CHECK(app.prewarm() == 1);
  CHECK(app.prewarm() == 0);
}

TEST_CASE("FrameDigest: equal, one pixel, another size", "[daemon]") {
  render::Frame a(100, 50);
  render::Frame b(100, 50);
  CHECK(FrameDigest(a).damage(FrameDigest(b)).empty());
  CHECK(FrameDigest().damage(FrameDigest(b)) == render::Rect{0, 0, 100, 50});
  b.pixels()[std::size_t(37 * 100 + 99)] = 0xff000000u;  // the last column, a partial tile
  CHECK(FrameDigest(a).damage(FrameDigest(b)) == render::Rect{96, 32, 4, 16});
  b.pixels()[0] = 0xff000000u;
  CHECK(FrameDigest(a).damage(FrameDigest(b)) == render::Rect{0, 0, 100, 48});
  CHECK(FrameDigest(a).damage(FrameDigest(render::Frame(50, 100))) == render::Rect{0, 0, 50, 100});
  CHECK(FrameDigest(a).bytes() == 7 * 4 * sizeof(std::uint64_t));
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

TEST_CASE("a frame the e-ink pacing holds back is offered again, even unchanged", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  auto display = std::make_unique<FakeDisplay>();
  FakeDisplay& screen = *display;
  auto loader = std::make_unique<ScriptedLoader>();
  loader->script.push_back(updated("meeting-day.ics", start));
  ScriptedLoader& feed = *loader;
  App app(testConfig(), clock, std::move(display), std::move(loader));
  app.refreshDue();
  feed.process({});
  REQUIRE(app.renderNow());
  screen.holdBack = 1;
  app.invalidateDisplay();
  CHECK_FALSE(app.renderNow());  // held back
  CHECK(screen.offered == 2);
  CHECK(app.renderNow());  // the same frame again: now shown
  CHECK(screen.offered == 3);
  CHECK_FALSE(app.renderNow());  // and then unchanged: offered so marked, and spared
  CHECK(screen.offered == 3);
  CHECK(screen.offeredAgain == 1);
  CHECK(screen.shown.size() == 2);
}

TEST_CASE("on e-ink the minute's redraw follows the countdown's steps", "[daemon]") {
  // 2025-03-10 05:00 Berlin: the stand-up at 09:00 is 4 h away (15-minute steps).
  const auto start = *ics::parseIsoInstant("2025-03-10T04:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  auto loader = std::make_unique<ScriptedLoader>();
  loader->script.push_back(updated("meeting-day.ics", start));
  ScriptedLoader& feed = *loader;
  Config c = testConfig();
  c.display.kind = "eink";
  App app(c, clock, std::make_unique<FakeDisplay>(), std::move(loader));
  app.refreshDue();
  feed.process({});
  CHECK(app.redrawDue());  // nothing drawn yet
  REQUIRE(app.renderNow());
  int due = 0;
  for (int m = 1; m <= 60; ++m) {
    clock.advance(minutes{1});
    if (!app.redrawDue()) continue;
    ++due;
    (void)app.renderNow();
  }
  CHECK(due == 4);
  // An LCD redraws every minute (the frame hash decides what reaches the screen).
  Config lcd = testConfig();
  App other(lcd, clock, std::make_unique<FakeDisplay>(), std::make_unique<ScriptedLoader>());
  CHECK(other.redrawDue());
}

TEST_CASE("a drop behind the screen budget is held as suspect too", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  // Meetings a minute apart from now: both stores keep the screen budget's 96.
  auto meetings = [&](int n) {
    std::string body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n";
    for (int i = 0; i < n; ++i)
      body += fmt::format(
          "BEGIN:VEVENT\r\nUID:m{0}\r\nDTSTART:{1:%Y%m%dT%H%M%SZ}\r\n"
          "DTEND:{2:%Y%m%dT%H%M%SZ}\r\nSUMMARY:m{0}\r\nEND:VEVENT\r\n",
          i, start + minutes{i}, start + minutes{i + 30});
    ics::IngestOptions o;
    o.now = start;
    ics::Ingest ingest(o);
    ingest.feed(body + "END:VCALENDAR\r\n");
    FetchResult out;
    out.kind = FetchResult::Kind::Updated;
    out.store = ingest.finish();
    return out;
  };
  feed.script.push_back(meetings(2000));
  feed.script.push_back(meetings(150));  // 96 kept, as before: but 150 of 2,000
  Config config = testConfig();
  config.fetch.confirmDrop = minutes{30};
  App app(config, clock, std::make_unique<FakeDisplay>(), std::move(loader));
  app.refreshDue(true);
  feed.process({});
  REQUIRE(app.sources()[0].store);
  CHECK(app.sources()[0].store->leftOut().total() == 2000 - ics::screen::kStoreEvents);
  clock.advance(minutes{5});
  app.refreshDue(true);
  feed.process({});
  CHECK(app.sources()[0].suspectSince == clock.now());
  CHECK(app.sources()[0].store->leftOut().total() == 2000 - ics::screen::kStoreEvents);
}

TEST_CASE("a drop to no events is held as suspect until a later fetch confirms it", "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  auto empty = [] {
    ics::Ingest ingest(ics::IngestOptions{});
    ingest.feed("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n");
    FetchResult out;
    out.kind = FetchResult::Kind::Updated;
    out.store = ingest.finish();
    return out;
  };
  feed.script.push_back(updated("meeting-day.ics", start));
  feed.script.push_back(empty());                            // suspect: held
  feed.script.push_back(updated("meeting-day.ics", start));  // back: the suspicion ends
  feed.script.push_back(empty());                            // suspect again
  feed.script.push_back(empty());                            // too early to confirm
  feed.script.push_back(empty());                            // 30 min later: accepted
  Config config = testConfig();
  config.fetch.confirmDrop = minutes{30};
  App app(config, clock, std::make_unique<FakeDisplay>(), std::move(loader));
  auto fetch = [&](minutes later) {
    clock.advance(later);
    app.refreshDue(true);
    feed.process({});
    REQUIRE(app.sources()[0].store);
    return app.sources()[0].store->eventCount();
  };
  const std::size_t events = fetch(minutes{0});
  REQUIRE(events > 0);
  CHECK(fetch(minutes{5}) == events);
  CHECK(app.sources()[0].suspectSince == clock.now());
  // The next fetch comes at the refresh interval or the confirmation delay, the sooner.
  CHECK(app.sources()[0].nextFetch == clock.now() + minutes{5});
  CHECK(fetch(minutes{5}) == events);
  CHECK_FALSE(app.sources()[0].suspectSince);
  CHECK(fetch(minutes{5}) == events);
  CHECK(fetch(minutes{20}) == events);
  CHECK(fetch(minutes{10}) == 0);  // 30 minutes after the first empty fetch
  CHECK_FALSE(app.sources()[0].suspectSince);
}

// The framebuffer as the daemon drives it: every frame, changed or not, asks the console once
// (one KDGETMODE), and an unchanged frame heals what a getty or a scribble did to the panel.
TEST_CASE("framebuffer frames: one console check each; a getty reset and a scribble heal",
          "[daemon]") {
  const auto start = *ics::parseIsoInstant("2025-03-10T08:00:00Z", ics::TimeZone::utc());
  hal::FakeClock clock(start);
  hal::FakeMonotonicClock monotonic;
  hal::FakeSys sys;
  fb_var_screeninfo var{};
  var.xres = var.xres_virtual = 500;  // the 480x800 frame centred, black borders around it
  var.yres = var.yres_virtual = 820;
  var.bits_per_pixel = 32;
  var.red = {16, 8, 0};
  var.green = {8, 8, 0};
  var.blue = {0, 8, 0};
  fb_fix_screeninfo fix{};
  std::strcpy(fix.id, "fakefb");
  fix.type = FB_TYPE_PACKED_PIXELS;
  fix.visual = FB_VISUAL_TRUECOLOR;
  fix.line_length = var.xres_virtual * 4;
  fix.smem_len = fix.line_length * var.yres_virtual;
  sys.addFramebuffer("/dev/fb0", var, fix);
  sys.addTty("/dev/tty1", KD_TEXT);
  std::string error;
  auto display = hal::FramebufferDisplay::create({"/dev/fb0", "/dev/tty1", 0, hal::Fit::Center},
                                                 sys, error, &monotonic);
  REQUIRE(display);
  auto loader = std::make_unique<ScriptedLoader>();
  ScriptedLoader& feed = *loader;
  feed.script.push_back(updated("meeting-day.ics", start));
  App app(testConfig(), clock, std::move(display), std::move(loader));
  app.refreshDue();
  feed.process({});

  int asked = 0;
  auto frame = [&] {
    const bool shown = app.renderNow();
    CHECK(sys.ioctlCount(KDGETMODE) == ++asked);
    return shown;
  };
  REQUIRE(frame());
  const std::vector<unsigned char> good = sys.memory("/dev/fb0");
  auto intact = [&] {
    return sys.memory("/dev/fb0") == good;
  };                     // a bool: no 1.6 MB dump on failure
  CHECK_FALSE(frame());  // unchanged, and the panel has it

  // getty@tty1 starts: the console goes back to text mode and clears the screen.
  sys.resetTty("/dev/tty1");
  sys.fillMemory("/dev/fb0", 0x5A);
  CHECK(frame());  // unchanged, shown whole
  CHECK(sys.ttyMode("/dev/tty1") == KD_GRAPHICS);
  CHECK(intact());

  // Something scribbles on /dev/fb0: gone with the first frame kRepaintEvery after the last
  // whole one.
  sys.fillMemory("/dev/fb0", 0x5A);
  monotonic.advance(hal::FramebufferDisplay::kRepaintEvery - seconds{1});
  CHECK_FALSE(frame());
  CHECK_FALSE(intact());
  monotonic.advance(seconds{1});
  CHECK(frame());
  CHECK(intact());

  // A changed frame (the countdown a minute on): still one question to the console.
  clock.advance(minutes{1});
  CHECK(frame());
  CHECK_FALSE(intact());
}
