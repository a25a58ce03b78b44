// daemon: e-ink countdown granularity — a day of minutes on the fake clock.
#include <catch2/catch.hpp>

#include "daemon/eink_pacing.hpp"
#include "ics/store.hpp"
#include "layouts/format.hpp"
#include "support.hpp"

using namespace cb;
using namespace std::chrono;

TEST_CASE("e-ink countdown steps: minutes near the start, coarser far away", "[daemon][eink]") {
  CHECK(daemon::countdownStep(minutes{1}) == minutes{1});
  CHECK(daemon::countdownStep(minutes{60}) == minutes{1});
  CHECK(daemon::countdownStep(minutes{61}) == minutes{5});
  CHECK(daemon::countdownStep(hours{3}) == minutes{5});
  CHECK(daemon::countdownStep(hours{4}) == minutes{15});
  CHECK(daemon::countdownStep(hours{13}) == minutes{60});
}

TEST_CASE("e-ink redraws over a day of minutes: the countdown is never more than a step old",
          "[daemon][eink]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  ics::IngestOptions options;
  options.displayZone = &berlin;
  ics::LoadResult r = ics::loadFile(test::fixture("meeting-day.ics"), options);
  REQUIRE(r.error.empty());
  const ics::EventStore* stores[] = {&r.store};
  const ics::Instant day = *ics::parseIsoInstant("2025-03-10T00:00:00", berlin);
  const layouts::Agenda agenda = layouts::buildAgenda(stores, day, {});

  // The countdown a frame drawn at `t` shows: its served meeting's moment.
  struct Shown {
    const layouts::AgendaItem* served = nullptr;
    ics::Instant moment{};
  };
  auto shownAt = [&](ics::Instant t) {
    const layouts::Focus f = layouts::focusAt(agenda, t, berlin);
    Shown s;
    s.served = f.served;
    if (f.served) s.moment = f.servedRunning ? f.served->end : f.served->start;
    return s;
  };
  ics::Instant last = day;
  Shown onScreen = shownAt(day);
  int redraws = 1, nearMisses = 0;
  for (int m = 1; m <= 24 * 60; ++m) {
    const ics::Instant now = day + minutes{m};
    if (daemon::einkRedrawDue(agenda, berlin, {}, last, now)) {
      ++redraws;
      last = now;
      onScreen = shownAt(now);
      continue;
    }
    // Not redrawn: the screen still serves the same meeting, and its number is at most
    // one step behind the truth (and exact within the hour).
    const Shown truth = shownAt(now);
    INFO("minute " << m);
    REQUIRE(truth.served == onScreen.served);
    REQUIRE(truth.served != nullptr);
    const seconds left = truth.moment - now;
    CHECK(now - last < daemon::countdownStep(left));
    CHECK(left > hours{1});
    ++nearMisses;
  }
  // Far fewer than a redraw a minute, and every minute of the last hour before a meeting.
  CHECK(redraws < 24 * 60 / 3);
  CHECK(redraws > 60);
  CHECK(nearMisses > 24 * 60 / 2);
  for (int m = 8 * 60; m < 9 * 60; ++m)
    CHECK(daemon::einkRedrawDue(agenda, berlin, {}, day + minutes{m - 1}, day + minutes{m}));
}
