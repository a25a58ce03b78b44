// hal: e-ink refresh pacing on the fake clock — a day of minutes, every one a change.
#include <catch2/catch.hpp>

#include <vector>

#include "hal/eink_display.hpp"
#include "hal/eink_policy.hpp"
#include "hal/fake_eink.hpp"

using namespace cb::hal;
using namespace std::chrono_literals;
using Kind = RefreshDecision::Kind;
using std::chrono::nanoseconds;

namespace {

struct Refresh {
  nanoseconds at;
  Kind kind;
};

// Offers a changed frame every minute for `days` days (a countdown that ticks each
// minute: the worst case) and returns the refreshes the policy made. A refresh takes
// `duration` (the next offer comes on the next minute, as the daemon's does).
std::vector<Refresh> dayOfMinutes(const RefreshRules& rules, int days = 2,
                                  nanoseconds duration = 4s) {
  RefreshPolicy p(rules);
  std::vector<Refresh> out;
  const Region somewhere{0, 0, 64, 16};
  for (int minute = 0; minute < days * 24 * 60; ++minute) {
    // Minute ticks land a few ms late, by varying amounts.
    const nanoseconds now = std::chrono::minutes{minute} + std::chrono::milliseconds{minute % 7};
    const RefreshDecision d = p.decide(somewhere, now);
    if (d.kind == Kind::Full || d.kind == Kind::Partial) {
      p.done(d, now);
      out.push_back({now, d.kind});
    }
    (void)duration;
  }
  return out;
}

void checkPacing(const RefreshRules& r, const std::vector<Refresh>& got) {
  REQUIRE_FALSE(got.empty());
  nanoseconds lastFull{-1};
  int partialsInRow = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (i > 0) CHECK(got[i].at - got[i - 1].at >= r.minInterval);
    if (got[i].kind == Kind::Full) {
      if (lastFull.count() >= 0) {
        CHECK(got[i].at - lastFull >= r.minFullInterval);
        // (A daily budget may hold back the full refresh too.)
        if (r.fullEvery.count() > 0 && r.maxPerDay == 0)
          CHECK(got[i].at - lastFull <= r.fullEvery + 1min);
      }
      lastFull = got[i].at;
      partialsInRow = 0;
    } else {
      CHECK(r.partialAllowed);
      ++partialsInRow;
      CHECK(partialsInRow <= r.fullEveryPartials);
    }
    // At most maxPerDay in any 24 hours.
    if (r.maxPerDay > 0) {
      int inDay = 0;
      for (std::size_t j = i + 1; j-- > 0 && got[i].at - got[j].at < 24h;) ++inDay;
      CHECK(inDay <= r.maxPerDay);
    }
  }
}

}  // namespace

TEST_CASE("e-ink pacing: partial-capable panel, a change every minute for two days",
          "[hal][eink][pacing]") {
  RefreshRules r;  // the defaults: 50 s, 180 s between full ones, full after 20 partials
  const auto got = dayOfMinutes(r);
  checkPacing(r, got);
  // Every minute gets its refresh (50 s < 60 s), and the full ones come every 21st.
  CHECK(got.size() == 2 * 24 * 60);
  int fulls = 0;
  for (const Refresh& x : got) fulls += x.kind == Kind::Full;
  CHECK(fulls == (2 * 24 * 60 + 20) / 21);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK((got[i].kind == Kind::Full) == (i % 21 == 0));
}

TEST_CASE("e-ink pacing: a full-only panel refreshes at most every 3 minutes",
          "[hal][eink][pacing]") {
  RefreshRules r;
  r.partialAllowed = false;
  const auto got = dayOfMinutes(r);
  checkPacing(r, got);
  for (const Refresh& x : got) CHECK(x.kind == Kind::Full);
  // The minute ticks come a few ms late by turns: a full refresh every 3 or 4 minutes.
  CHECK(got.size() <= 2 * 24 * 60 / 3);
  CHECK(got.size() >= 2 * 24 * 60 / 4);
}

TEST_CASE("e-ink pacing: the configured limits hold whatever they are", "[hal][eink][pacing]") {
  RefreshRules r;
  r.minInterval = 300s;
  r.minFullInterval = 1800s;
  r.fullEveryPartials = 5;
  r.fullEvery = 2h;
  r.maxPerDay = 100;
  const auto got = dayOfMinutes(r);
  checkPacing(r, got);
  // The daily budget binds: 100 in the first 24 hours, never more in any 24 hours.
  int firstDay = 0;
  for (const Refresh& x : got) firstDay += x.at < 24h;
  CHECK(firstDay == 100);
  // A full refresh comes only every 30 min, so partials fill the gaps past the count.
  r.maxPerDay = 0;
  r.fullEveryPartials = 2;
  checkPacing(r, dayOfMinutes(r));
}

TEST_CASE("e-ink pacing: unchanged frames and the daily full refresh", "[hal][eink][pacing]") {
  RefreshRules r;
  r.fullEvery = 24h;
  RefreshPolicy p(r);
  const Region some{0, 0, 8, 8};
  REQUIRE(p.decide(some, 0s).kind == Kind::Full);
  p.done({Kind::Full, {}, ""}, 0s);
  REQUIRE(p.decide(some, 60s).kind == Kind::Partial);
  p.done({Kind::Partial, some, ""}, 60s);
  // Nothing changes for a day: no refresh until the partial's residue is a day old.
  CHECK(p.decide({}, 23h).kind == Kind::Skip);
  CHECK(p.decide({}, 24h).kind == Kind::Full);
}

TEST_CASE("e-ink pacing: a held-back frame is pending until the panel may refresh",
          "[hal][eink][pacing]") {
  const EinkModel& model = *findEinkModel("4in2");  // full refresh only
  FakeMonotonicClock clock;
  PanelSimulator sim(panelSpecFor(model), clock);
  EinkDisplay d(model, {}, 0, Fit::Center, sim.spi(), sim.pins(), clock);
  std::vector<std::uint32_t> px(400 * 300, 0xffffffffu);
  std::uint64_t hash = 1;
  int shown = 0;
  // Half an hour of minutes, the frame different each minute.
  for (int minute = 0; minute < 30; ++minute) {
    px[std::size_t(minute)] = 0xff000000u;
    const bool wasPending = d.pending();
    REQUIRE(d.show(Image{px, 400, 300, 400, ++hash, {}}) == 0);
    if (!d.pending()) ++shown;
    if (minute > 0 && !d.pending()) CHECK(wasPending);  // every 3rd minute
    clock.advance(60s);
  }
  CHECK(shown == 10);
  CHECK(sim.fullRefreshes() == 10);
  for (const auto& e : sim.errors()) FAIL_CHECK(e);
  // The same frame offered again once the pacing allows it is shown, not skipped.
  px[100] = 0xff000000u;
  REQUIRE(d.show(Image{px, 400, 300, 400, 5000, {}}) == 0);
  const bool held = d.pending();
  clock.advance(3min);
  REQUIRE(d.show(Image{px, 400, 300, 400, 5000, {}}) == 0);
  CHECK_FALSE(d.pending());
  CHECK(sim.glass()[100] == 1);
  (void)held;
}
