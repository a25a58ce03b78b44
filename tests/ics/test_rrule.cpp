// RruleIterator against libical's iterator: random rules of every shape we accept, same instances.
#include <libical/ical.h>

#include <fmt/format.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "ics/ical_time.hpp"
#include "ics/rrule.hpp"

using namespace cb::ics;
using namespace std::chrono;

namespace {

const char* const kDays[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};

struct Rng {
  std::mt19937 gen{20261129};
  int range(int lo, int hi) { return std::uniform_int_distribution<int>{lo, hi}(gen); }
  bool chance(int percent) { return range(1, 100) <= percent; }
};

std::string list(Rng& rng, int lo, int hi, int maxItems, bool negative) {
  std::vector<int> seen;
  std::string s;
  const int n = rng.range(1, maxItems);
  for (int i = 0; i < n; ++i) {
    int v = rng.range(lo, hi);
    if (negative && rng.chance(30)) v = -v;
    if (std::find(seen.begin(), seen.end(), v) != seen.end()) continue;  // repeats go to libical
    seen.push_back(v);
    s += fmt::format("{}{}", s.empty() ? "" : ",", v);
  }
  return s;
}

std::string dayList(Rng& rng, bool ordinals) {
  std::vector<std::string> seen;
  std::string s;
  const int n = rng.range(1, 3);
  for (int i = 0; i < n; ++i) {
    std::string day;
    if (ordinals && rng.chance(70)) {
      int o = rng.range(1, rng.chance(80) ? 4 : 5);
      if (rng.chance(40)) o = -o;
      day = std::to_string(o);
    }
    day += kDays[rng.range(0, 6)];
    if (std::find(seen.begin(), seen.end(), day) != seen.end()) continue;  // repeats: libical's
    seen.push_back(day);
    s += (s.empty() ? "" : ",") + day;
  }
  return s;
}

// MONTHLY and YEARLY days: BYMONTHDAY (up to `lastDay`; sometimes with BYDAY too, as in
// "Sun>=8" and "Friday the 13th"), BYDAY with ordinals, or neither.
std::string monthParts(Rng& rng, int lastDay, int items) {
  if (rng.chance(40)) {
    std::string s = ";BYMONTHDAY=" + list(rng, 1, lastDay, rng.chance(30) ? 7 : items, true);
    if (rng.chance(30)) s += ";BYDAY=" + dayList(rng, false);
    return s;
  }
  return rng.chance(60) ? ";BYDAY=" + dayList(rng, true) : "";
}

// A random rule of a shape RruleIterator accepts.
std::string randomRule(Rng& rng) {
  static const char* const kFreq[] = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
  const int f = rng.range(0, 3);
  std::string r = std::string("FREQ=") + kFreq[f];
  if (rng.chance(50)) r += ";INTERVAL=" + std::to_string(rng.range(1, rng.chance(80) ? 3 : 13));
  if (rng.chance(30)) r += std::string(";WKST=") + kDays[rng.range(0, 6)];
  switch (f) {
    case 0:
      if (rng.chance(40)) r += ";BYDAY=" + dayList(rng, false);
      if (rng.chance(30)) r += ";BYMONTH=" + list(rng, 1, 12, 3, false);
      break;
    case 1:
      if (rng.chance(70)) r += ";BYDAY=" + dayList(rng, false);
      break;
    case 2:
      if (rng.chance(30)) r += ";BYMONTH=" + list(rng, 1, 12, 3, false);
      r += monthParts(rng, 31, 3);
      break;
    case 3:
      if (rng.chance(30)) break;
      r += ";BYMONTH=" + list(rng, 1, 12, 2, false);
      r += monthParts(rng, 28, 2);
      break;
  }
  return r;
}

LocalSeconds randomStart(Rng& rng, bool isDate) {
  const int y = rng.range(1995, 2030);
  const unsigned m = unsigned(rng.range(1, 12));
  const unsigned last = unsigned(year_month_day_last{year{y} / month{m} / std::chrono::last}.day());
  unsigned d = unsigned(rng.range(1, int(last)));
  if (rng.chance(30)) d = last - unsigned(rng.range(0, 2));  // month ends
  if (rng.chance(5)) return local_days{year{2024} / 2 / 29} + hours{isDate ? 0 : 9};
  LocalSeconds t = local_days{year{y} / m / d};
  if (!isDate) t += hours{rng.range(0, 23)} + minutes{rng.range(0, 3) * 15};
  return t;
}

// With a 32-bit time_t (armhf) libical's iterator ends in 2037 and refuses to start later --
// its instants pass through time_t -- so both sides are compared up to there; a 64-bit build
// compares them whole.
constexpr LocalSeconds kLibicalEnd = local_days{year{2038} / 1 / 1};
constexpr bool kLibicalEnds = sizeof(time_t) < 8;

// Printable, so a failure shows where the sequences part (up to kLibicalEnd where it applies).
std::string show(const std::vector<LocalSeconds>& v) {
  std::string s;
  for (LocalSeconds t : v) {
    if (kLibicalEnds && t >= kLibicalEnd) break;
    const icaltimetype i = toIcal(t, false);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d ", i.year, i.month, i.day, i.hour,
                  i.minute);
    s += buf;
  }
  return s;
}

struct Parsed {
  icalrecurrencetype r;
  explicit Parsed(const std::string& s) : r(icalrecurrencetype_from_string(s.c_str())) {}
  ~Parsed() { std::free(r.rscale); }
};

// The first n instances after DTSTART (and at or after `from`, if set) from libical. libical
// refuses a MONTHLY rule with BYDAY that never finds a day (INTERVAL=2 from an even month,
// BYMONTH odd): none, which our iterator must find too.
std::vector<LocalSeconds> libical(const icalrecurrencetype& r, LocalSeconds start, bool isDate,
                                  std::optional<LocalSeconds> from, std::size_t n) {
  std::vector<LocalSeconds> out;
  icalrecur_iterator* it = icalrecur_iterator_new(r, toIcal(start, isDate));
  if (it == nullptr) {
    icalerror_clear_errno();
    return out;
  }
  if (from) REQUIRE(icalrecur_iterator_set_start(it, toIcal(*from, isDate)) != 0);
  for (int step = 0; step < 100000 && out.size() < n; ++step) {
    const icaltimetype t = icalrecur_iterator_next(it);
    if (icaltime_is_null_time(t)) break;
    const LocalSeconds l = fromIcal(t);
    if (l > start && (!from || l >= *from)) out.push_back(l);
  }
  icalrecur_iterator_free(it);
  icalerror_clear_errno();
  return out;
}

// Whether libical takes `from` as the iterator's start: with a 32-bit time_t it refuses one
// whose rule period reaches past 2037 (seen with YEARLY;INTERVAL=3 from 2028).
bool libicalStarts(const icalrecurrencetype& r, LocalSeconds start, bool isDate,
                   LocalSeconds from) {
  icalrecur_iterator* it = icalrecur_iterator_new(r, toIcal(start, isDate));
  const bool ok = it != nullptr && icalrecur_iterator_set_start(it, toIcal(from, isDate)) != 0;
  if (it != nullptr) icalrecur_iterator_free(it);
  icalerror_clear_errno();
  return ok;
}

std::vector<LocalSeconds> ours(RruleIterator it, LocalSeconds start,
                               std::optional<LocalSeconds> from, std::size_t n) {
  std::vector<LocalSeconds> out;
  if (from) it.setStart(*from);
  while (out.size() < n) {
    const auto l = it.next();
    if (!l) break;
    if (*l > start && (!from || *l >= *from)) out.push_back(*l);
  }
  return out;
}

// WEEKLY;INTERVAL>1 with a BYDAY day before WKST (SU … SA order): left to libical.
bool oddWeekly(const std::string& text) {
  auto part = [&](const char* name) {
    const std::size_t at = text.find(name);
    if (at == std::string::npos) return std::string();
    const std::size_t from = at + std::strlen(name);
    return text.substr(from, text.find(';', from) - from);
  };
  auto index = [](const std::string& day) {
    return int(std::find(std::begin(kDays), std::end(kDays), day) - std::begin(kDays));
  };
  const std::string interval = part("INTERVAL=");
  const std::string byday = part("BYDAY=");
  const int wkst = part("WKST=").empty() ? 1 : index(part("WKST="));
  if (text.find("WEEKLY") == std::string::npos || interval.empty() || interval == "1") return false;
  for (std::size_t at = 0; at < byday.size(); at += 3)
    if (index(byday.substr(at, 2)) < wkst) return true;
  return false;
}

// YEARLY;BYMONTHDAY beyond ±28: left to libical (which refuses a rule with no date in DTSTART's
// year).
bool yearlyDayAfter28(const std::string& text) {
  const std::size_t at = text.find("BYMONTHDAY=");
  if (text.find("YEARLY") == std::string::npos || at == std::string::npos) return false;
  const char* p = text.c_str() + at + std::strlen("BYMONTHDAY=");
  for (;;) {
    char* end = nullptr;
    const long v = std::strtol(p, &end, 10);
    if (v > 28 || v < -28) return true;
    if (*end != ',') return false;
    p = end + 1;
  }
}

}  // namespace

TEST_CASE("RruleIterator gives libical's instances for every shape it accepts", "[rrule]") {
  Rng rng;
  int compared = 0;
  for (int i = 0; i < 6000; ++i) {
    const std::string text = randomRule(rng);
    const bool isDate = rng.chance(25);
    const LocalSeconds start = randomStart(rng, isDate);
    const Parsed p(text);
    REQUIRE(p.r.freq != ICAL_NO_RECURRENCE);
    const auto it = RruleIterator::create(p.r, start);
    INFO(text << " from " << toIcal(start, isDate).year << "-" << toIcal(start, isDate).month << "-"
              << toIcal(start, isDate).day << " date=" << isDate);
    const bool dayAfter28 =
        text.find("YEARLY") != std::string::npos && text.find("BYMONTH=") != std::string::npos &&
        text.find("BYDAY") == std::string::npos && text.find("BYMONTHDAY") == std::string::npos &&
        unsigned(year_month_day{floor<days>(start)}.day()) > 28;
    REQUIRE(it.has_value() != (oddWeekly(text) || dayAfter28 || yearlyDayAfter28(text)));
    if (!it) continue;
    REQUIRE(show(ours(*it, start, std::nullopt, 40)) ==
            show(libical(p.r, start, isDate, std::nullopt, 40)));
    const LocalSeconds from = start + days{rng.range(2, 4000)} + hours{rng.range(0, 23)};
    INFO("set_start +" << duration_cast<days>(from - start).count() << " days");
    if (kLibicalEnds && (from >= kLibicalEnd || !libicalStarts(p.r, start, isDate, from))) {
      ++compared;  // compared from DTSTART above, up to where libical can go
      continue;
    }
    REQUIRE(show(ours(*it, start, from, 20)) == show(libical(p.r, start, isDate, from, 20)));
    ++compared;
  }
  CHECK(compared > 5500);  // the rest went to libical, as checked above
}

TEST_CASE("RruleIterator takes BYDAY with BYMONTHDAY as both", "[rrule]") {
  // Second Sunday of March (US DST since 2007) and Friday the 13th.
  const Parsed sun(R"(FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14)");
  auto it = RruleIterator::create(sun.r, local_days{year{2007} / 3 / 11} + hours{2});
  REQUIRE(it.has_value());
  CHECK(show(ours(*it, local_days{year{2007} / 3 / 11}, std::nullopt, 3)) ==
        "20080309T0200 20090308T0200 20100314T0200 ");
  const Parsed fri("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13");
  it = RruleIterator::create(fri.r, local_days{year{2026} / 2 / 13});
  REQUIRE(it.has_value());
  CHECK(show(ours(*it, local_days{year{2026} / 2 / 13}, std::nullopt, 2)) ==
        "20260313T0000 20261113T0000 ");
}

// YEARLY with BYMONTHDAY but no BYMONTH, and YEARLY;BYWEEKNO, are ours with the RFC's meaning
// (libical 3.0 differs): tests/ics/test_yearly_oracle.cpp checks them against the reference.
TEST_CASE("RruleIterator leaves other shapes to libical", "[rrule]") {
  const LocalSeconds start = local_days{year{2024} / 1 / 31} + hours{9};
  for (const char* text :
       {"FREQ=HOURLY", "FREQ=MINUTELY;INTERVAL=15", "FREQ=DAILY;BYHOUR=9,17",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=YEARLY;BYYEARDAY=100",
        "FREQ=YEARLY;BYWEEKNO=53", "FREQ=YEARLY;BYWEEKNO=-1", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO",
        "FREQ=YEARLY;BYWEEKNO=20;BYMONTH=5", "FREQ=YEARLY;BYDAY=20MO",
        "RSCALE=GREGORIAN;FREQ=YEARLY", "FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=1MO",
        "FREQ=WEEKLY;BYMONTH=3", "FREQ=DAILY;BYMONTHDAY=3", "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=WEEKLY;BYDAY=MO,MO"}) {
    INFO(text);
    const Parsed p(text);
    REQUIRE(p.r.freq != ICAL_NO_RECURRENCE);
    CHECK_FALSE(RruleIterator::create(p.r, start).has_value());
  }
}
