// Differential test: seeded random calendars, `calendarbot occurrences` against the oracle.
//
// usage: test_random_oracle [--seed S] [--count N] [--keep]
//
// Generates N calendars (default 40, fixed seed) mixing RRULE (DAILY/WEEKLY/MONTHLY/YEARLY,
// INTERVAL, COUNT/UNTIL, BYDAY with ordinals, BYMONTHDAY incl. -1, BYMONTH, BYSETPOS, BYHOUR,
// WKST), RDATE, EXDATE,
// RECURRENCE-ID overrides (moved, retitled, cancelled), UTC/floating/IANA-zoned/all-day times
// (zones with and without DST, with and without VTIMEZONE), DTEND/DURATION/neither, escaped
// and folded text, CRLF or LF; runs the binary (CB_BINARY) and
// /usr/bin/python3 ../shared/ics-oracle/occurrences.py over a window and compares line by line.
//
// The generator stays out of what the oracle documents as doubtful (KNOWN LIMITATIONS in
// occurrences.py), so every disagreement is ours to explain:
//  * overrides only in series with at most one instance a day (BYHOUR series have none), and
//    never moved onto a day (or past midnight) where the series has another instance — the
//    oracle matches overrides by date;
//  * no RANGE=THISANDFUTURE, no SEQUENCE (the oracle's de-duplication), no X-WR-TIMEZONE;
//  * EXDATE and RECURRENCE-ID always in the form of DTSTART (no EXDATE;VALUE=DATE on DATE-TIME);
//  * DTSTART always matches its RRULE; UNTIL is never before DTSTART and never equal to an
//    instance (instances fall on :00 seconds, UNTIL on :59);
//  * DURATION of timed events in hours/minutes only, and no timed event spans a night (nominal
//    vs exact durations across DST); times between 06:00 and 22:00 (no DST gaps or overlaps:
//    in an overlap we take the first occurrence, RFC 5545 3.3.5, the oracle the later one);
//  * VTIMEZONEs only where they match tzdata for the years used; windows end before 2037.
// Excluded on purpose, where the engine and the oracle differ by design:
//  * a DATE UNTIL on a DATE-TIME series (invalid per RFC 5545 3.3.10, common in Google feeds):
//    the oracle stops at 00:00 of that date, our engine (ics/recur.cpp) keeps the whole UNTIL day,
//    i.e. an instance on the UNTIL date is listed — what the "ends on" date in every calendar UI
//    means. Seen with seeds 20261128 and 1; the corpus (issue_4_rrule_until) does not decide it.
// An oracle WARNING or ERROR on a generated calendar is a failure of this generator.
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "child.hpp"
#include "support.hpp"

namespace {

using namespace std::chrono;

constexpr std::uint64_t kDefaultSeed = 20261128;
constexpr int kDefaultCount = 40;
constexpr auto kDeadline = std::chrono::seconds(60);

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int range(int lo, int hi) { return lo + int(next() % std::uint64_t(hi - lo + 1)); }
  bool chance(int percent) { return int(next() % 100) < percent; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& a) {
    return a[next() % N];
  }

 private:
  std::uint64_t state_;
};

enum class Form { Utc, Floating, Zoned, AllDay };
enum class Freq { None, Daily, Weekly, Monthly, Yearly };

constexpr std::array<std::string_view, 7> kDayNames = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
constexpr std::array<std::string_view, 5> kDisplayZones = {
    "UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"};
constexpr std::array<std::string_view, 7> kEventZones = {
    "Europe/Berlin", "America/New_York",    "Europe/London", "Australia/Sydney",
    "Asia/Tokyo",    "America/Los_Angeles", "Asia/Kolkata"};
constexpr std::array<std::string_view, 16> kWords = {
    "Standup", "Review",  "Café",     "Zürich", "会議",     "1:1", "Budget", "Offsite",
    "sprint",  "dentist", "Birthday", "Yoga",   "planning", "Q3",  "🎉",      "naïve"};
constexpr std::array<std::string_view, 7> kSpecials = {",", ";", "\\", "\n", "\t", ":", "\""};

std::string two(unsigned v) {
  return {char('0' + v / 10 % 10), char('0' + v % 10)};
}

std::string dateText(local_days d) {
  const year_month_day ymd{d};
  return std::to_string(int(ymd.year())) + two(unsigned(ymd.month())) + two(unsigned(ymd.day()));
}

std::string isoDate(local_days d) {
  const year_month_day ymd{d};
  return std::to_string(int(ymd.year())) + "-" + two(unsigned(ymd.month())) + "-" +
         two(unsigned(ymd.day()));
}

std::string dateTimeText(local_seconds t) {
  const auto d = floor<days>(t);
  const hh_mm_ss hms{t - d};
  return dateText(d) + "T" + two(unsigned(hms.hours().count())) +
         two(unsigned(hms.minutes().count())) + two(unsigned(hms.seconds().count()));
}

// RFC 5545 TEXT escaping.
std::string escapeText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ',' || c == ';') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class Ics {
 public:
  explicit Ics(bool crlf) : eol_(crlf ? "\r\n" : "\n") {}
  // One content line, folded at 75 octets outside UTF-8 sequences.
  void line(std::string_view text) {
    std::size_t limit = 75;
    while (text.size() > limit) {
      std::size_t cut = limit;
      while (cut > 1 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      out_.append(text.substr(0, cut));
      out_ += eol_;
      out_ += ' ';
      text.remove_prefix(cut);
      limit = 74;
    }
    out_.append(text);
    out_ += eol_;
  }
  [[nodiscard]] const std::string& text() const { return out_; }

 private:
  std::string eol_;
  std::string out_;
};

struct Series {
  std::string uid;
  Form form = Form::Utc;
  std::string tzid;
  bool quoteTzid = false;  // TZID="Europe/Berlin" (legal, rare)
  local_seconds start{};   // wall clock (UTC wall clock for Form::Utc; 00:00 for all-day)
  int lengthMinutes = 0;   // timed; all-day: days in lengthDays
  int lengthDays = 1;
  Freq freq = Freq::None;
  int interval = 1;
  int count = 0;          // 0: no COUNT
  local_days untilDay{};  // valid when hasUntil
  bool hasUntil = false;
  bool simple = false;     // instances are start + k * step exactly (no BY* parts)
  std::set<int> excluded;  // instance indexes (simple rules)
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  struct Calendar {
    std::string text;
    std::string from, to, tz;
  };

  Calendar calendar(int index) {
    Calendar cal;
    cal.tz = std::string(rng_.pick(kDisplayZones));
    const local_days windowStart{
        year_month_day{year{2024} / month{unsigned(rng_.range(1, 12))} / 1} +
        months{rng_.range(0, 24)}};
    const local_days windowEnd =
        local_days{year_month_day{windowStart} + months{rng_.range(2, 18)}};
    cal.from = isoDate(windowStart);
    cal.to = isoDate(windowEnd);

    Ics ics(rng_.chance(80));
    ics.line("BEGIN:VCALENDAR");
    ics.line("VERSION:2.0");
    ics.line("PRODID:-//calendarbot//random oracle test//EN");
    std::vector<std::string> bodies;
    std::set<std::string> zones;
    const int n = rng_.range(1, 4);
    for (int s = 0; s < n; ++s) {
      Ics body(true);
      series(body, index, s, windowStart, zones);
      bodies.push_back(body.text());
    }
    for (const std::string& z : zones)
      if (rng_.chance(60)) timezone(ics, z);
    std::string text = ics.text();
    for (const std::string& b : bodies) text += b;
    if (ics.text().find("\r\n") == std::string::npos) {  // LF calendar: no CR anywhere
      text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    }
    text += ics.text().find("\r\n") == std::string::npos ? "END:VCALENDAR\n" : "END:VCALENDAR\r\n";
    cal.text = std::move(text);
    return cal;
  }

 private:
  // VTIMEZONEs exactly as tzdata has them for 2007-2036.
  static void timezone(Ics& ics, const std::string& tzid) {
    if (tzid == "Europe/Berlin") {
      for (std::string_view l :
           {"BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT", "BEGIN:STANDARD",
            "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE"})
        ics.line(l);
    } else if (tzid == "America/New_York") {
      for (std::string_view l :
           {"BEGIN:VTIMEZONE", "TZID:America/New_York", "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500",
            "TZOFFSETTO:-0400", "TZNAME:EDT", "DTSTART:20070311T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT", "BEGIN:STANDARD",
            "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "TZNAME:EST", "DTSTART:20071104T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD", "END:VTIMEZONE"})
        ics.line(l);
    } else if (tzid == "Asia/Tokyo") {
      for (std::string_view l : {"BEGIN:VTIMEZONE", "TZID:Asia/Tokyo", "BEGIN:STANDARD",
                                 "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "TZNAME:JST",
                                 "DTSTART:19700101T000000", "END:STANDARD", "END:VTIMEZONE"})
        ics.line(l);
    }
  }

  std::string summary() {
    std::string s;
    const int words = rng_.range(1, 4);
    for (int i = 0; i < words; ++i) {
      if (i) s += ' ';
      s += rng_.pick(kWords);
      if (rng_.chance(15)) s += rng_.pick(kSpecials);
    }
    if (rng_.chance(10)) s += " with a long tail that makes the content line fold somewhere";
    return s;
  }

  // DTSTART/EXDATE/RECURRENCE-ID/RDATE value of `t` in the series' form.
  std::string when(const Series& s, std::string_view name, local_seconds t) const {
    switch (s.form) {
      case Form::Utc:
        return std::string(name) + ":" + dateTimeText(t) + "Z";
      case Form::Floating:
        return std::string(name) + ":" + dateTimeText(t);
      case Form::Zoned:
        return std::string(name) + ";TZID=" + (s.quoteTzid ? "\"" + s.tzid + "\"" : s.tzid) + ":" +
               dateTimeText(t);
      case Form::AllDay:
        return std::string(name) + ";VALUE=DATE:" + dateText(floor<days>(t));
    }
    return {};
  }

  // Whether a zoned value of `s` can be written in UTC instead (as Google and Exchange often do
  // for EXDATE and RECURRENCE-ID): zones whose rules this generator knows, and whose 06:00-22:00
  // keeps the same UTC date (the oracle matches overrides by date in the override's own zone).
  static bool utcWritable(const Series& s) {
    return s.form == Form::Zoned && (s.tzid == "Europe/Berlin" || s.tzid == "Europe/London");
  }
  // EU rules since 1996: summer time from the last Sunday of March to the last Sunday of October,
  // 01:00 UTC. Only called with times well away from the switch (06:00-22:00 local).
  static std::string utcValue(const Series& s, local_seconds t) {
    const int standard = s.tzid == "Europe/Berlin" ? 1 : 0;
    const year y = year_month_day{floor<days>(t)}.year();
    const local_days begin{y / March / Sunday[last]};
    const local_days end{y / October / Sunday[last]};
    const bool summer = t >= begin + hours{2} && t < end + hours{2};
    return dateTimeText(t - hours{standard + (summer ? 1 : 0)}) + "Z";
  }

  // The k-th instance of a simple rule.
  static std::optional<local_seconds> instance(const Series& s, int k) {
    const local_days day = floor<days>(s.start);
    const auto time = s.start - day;
    switch (s.freq) {
      case Freq::Daily:
        return s.start + days{k * s.interval};
      case Freq::Weekly:
        return s.start + weeks{k * s.interval};
      case Freq::Monthly:
      case Freq::Yearly: {
        const year_month_day ymd{day};
        const year_month_day next =
            s.freq == Freq::Monthly ? ymd + months{k * s.interval} : ymd + years{k * s.interval};
        if (!next.ok()) return std::nullopt;
        return local_days{next} + time;
      }
      case Freq::None:
        break;
    }
    return std::nullopt;
  }

  // Whether the k-th instance of a simple rule exists (COUNT, UNTIL, a real date).
  bool exists(const Series& s, int k) const {
    if (s.count > 0 && k >= s.count) return false;
    const auto t = instance(s, k);
    if (!t) return false;
    // A day of margin: UNTIL is compared in UTC and zones are up to 14 h away.
    return !s.hasUntil || floor<days>(*t) < s.untilDay - days{1};
  }

  std::string rrule(Series& s) {
    const local_days day = floor<days>(s.start);
    const year_month_day ymd{day};
    const weekday wd{day};
    const int f = rng_.range(0, 99);
    s.freq = f < 25 ? Freq::Daily : f < 60 ? Freq::Weekly : f < 85 ? Freq::Monthly : Freq::Yearly;
    s.interval = rng_.chance(60) ? 1 : rng_.range(2, 3);
    std::string by;
    s.simple = true;
    const unsigned ordinal = (unsigned(ymd.day()) - 1) / 7 + 1;
    const bool lastWeek = ymd.day() + days{7} > (ymd.year() / ymd.month() / last).day();
    const std::string byDayOrdinal =
        (lastWeek && (ordinal == 5 || rng_.chance(50)) ? std::string("-1")
                                                       : std::to_string(ordinal)) +
        std::string(kDayNames[wd.c_encoding()]);
    switch (s.freq) {
      case Freq::Daily:
        if (rng_.chance(25) && wd != Saturday && wd != Sunday) {
          by = ";BYDAY=MO,TU,WE,TH,FR";
          s.simple = false;
        } else if (rng_.chance(15)) {
          by = ";BYMONTH=" + std::to_string(unsigned(ymd.month())) + "," +
               std::to_string(unsigned(ymd.month()) % 12 + 1);
          s.simple = false;
        }
        break;
      case Freq::Weekly:
        if (rng_.chance(50)) {
          std::set<unsigned> daysSet = {wd.c_encoding()};
          const int extra = rng_.range(0, 2);
          for (int i = 0; i < extra; ++i) daysSet.insert(unsigned(rng_.range(0, 6)));
          by = ";BYDAY=";
          bool first = true;
          for (unsigned d : daysSet) {
            by += (first ? "" : ",") + std::string(kDayNames[d]);
            first = false;
          }
          s.simple = daysSet.size() == 1;
        }
        if (rng_.chance(30)) by += rng_.chance(50) ? ";WKST=SU" : ";WKST=MO";
        break;
      case Freq::Monthly:
        if (rng_.chance(30)) {
          if (rng_.chance(40)) {
            // The last day of the month; DTSTART moves onto it.
            const local_days lastDay{ymd.year() / ymd.month() / std::chrono::last};
            s.start = lastDay + (s.start - day);
            by = ";BYMONTHDAY=-1";
          } else {
            by = ";BYMONTHDAY=" + std::to_string(unsigned(ymd.day()));
          }
          if (rng_.chance(50)) by += "," + std::to_string(rng_.range(1, 28));
          s.simple = false;
        } else if (rng_.chance(45)) {
          by = ";BYDAY=" + byDayOrdinal;
          s.simple = false;
        } else if (rng_.chance(30)) {
          // First or last working day of the month; DTSTART moves onto it.
          const bool lastDay = rng_.chance(50);
          local_days d = lastDay ? local_days{ymd.year() / ymd.month() / std::chrono::last}
                                 : local_days{ymd.year() / ymd.month() / 1};
          while (weekday{d} == Saturday || weekday{d} == Sunday) d += days{lastDay ? -1 : 1};
          s.start = d + (s.start - day);
          by = std::string(";BYDAY=MO,TU,WE,TH,FR;BYSETPOS=") + (lastDay ? "-1" : "1");
          s.simple = false;
        }
        break;
      case Freq::Yearly:
        if (rng_.chance(30)) {
          by = ";BYMONTH=" + std::to_string(unsigned(ymd.month()));
          if (rng_.chance(50)) by += "," + std::to_string(unsigned(ymd.month()) % 12 + 1);
          by += ";BYMONTHDAY=" + std::to_string(unsigned(ymd.day()));
          s.simple = false;
        } else if (rng_.chance(45)) {
          by = ";BYMONTH=" + std::to_string(unsigned(ymd.month())) + ";BYDAY=" + byDayOrdinal;
          s.simple = false;
        }
        break;
      case Freq::None:
        break;
    }
    if (s.simple && unsigned(ymd.day()) > 28) s.simple = false;  // months without that day
    // Several instances a day (never with overrides: the oracle matches those by date), at
    // DTSTART's minute and between 06:00 and 22:00.
    const int hour = int(duration_cast<hours>(s.start - floor<days>(s.start)).count());
    if ((s.freq == Freq::Daily || s.freq == Freq::Weekly) && s.form != Form::AllDay &&
        s.lengthMinutes <= 120 && hour <= 17 && rng_.chance(30)) {
      by += ";BYHOUR=" + std::to_string(hour) + "," + std::to_string(hour + rng_.range(3, 4));
      s.simple = false;
    }

    static constexpr std::array<std::string_view, 5> kFreqNames = {"", "DAILY", "WEEKLY", "MONTHLY",
                                                                   "YEARLY"};
    std::string rule = "RRULE:FREQ=" + std::string(kFreqNames[std::size_t(s.freq)]);
    const int end = rng_.range(0, 99);
    if (end < 40) {
      s.count = rng_.range(2, 25);
      rule += ";COUNT=" + std::to_string(s.count);
    } else if (end < 75) {
      s.hasUntil = true;
      s.untilDay = floor<days>(s.start) + days{rng_.range(10, 500)};
      const local_seconds until = s.untilDay + hours{23} + minutes{59} + seconds{59};
      if (s.form == Form::AllDay)
        rule += ";UNTIL=" + dateText(s.untilDay);
      else if (s.form == Form::Floating)
        rule += ";UNTIL=" + dateTimeText(until);
      else
        rule += ";UNTIL=" + dateTimeText(until) + "Z";
    }
    if (s.interval > 1 || rng_.chance(20)) rule += ";INTERVAL=" + std::to_string(s.interval);
    return rule + by;
  }

  void series(Ics& ics, int cal, int index, local_days windowStart, std::set<std::string>& zones) {
    Series s;
    s.uid = "rnd-" + std::to_string(cal) + "-" + std::to_string(index) + "@calendarbot.test";
    const int f = rng_.range(0, 99);
    s.form = f < 20 ? Form::Utc : f < 35 ? Form::Floating : f < 80 ? Form::Zoned : Form::AllDay;
    if (s.form == Form::Zoned) {
      s.tzid = std::string(rng_.pick(kEventZones));
      s.quoteTzid = rng_.chance(10);
      zones.insert(s.tzid);
    }
    const local_days day = windowStart + days{rng_.range(-300, 120)};
    if (s.form == Form::AllDay) {
      s.start = day + seconds{0};
      s.lengthDays = rng_.range(1, 3);
    } else {
      const int startMinutes = 60 * rng_.range(6, 20) + 15 * rng_.range(0, 3);
      s.start = day + minutes{startMinutes};
      if (startMinutes >= 20 * 60 && rng_.chance(30)) {
        // Overnight, ending by 00:45: clear of every DST switch (01:00-03:00 local).
        s.lengthMinutes = 24 * 60 + 45 - startMinutes - 15 * rng_.range(0, 4);
      } else {
        s.lengthMinutes = std::min(15 * rng_.range(0, 24), 23 * 60 + 45 - startMinutes);
      }
    }
    const bool recurring = rng_.chance(75);
    const std::string rule = recurring ? rrule(s) : "";  // may move DTSTART onto the rule
    const bool orphan = !recurring && rng_.chance(8);    // an override without its master
    std::vector<std::string> lines;
    lines.push_back("UID:" + s.uid);
    lines.push_back("DTSTAMP:20250101T000000Z");
    if (orphan) lines.push_back(when(s, "RECURRENCE-ID", s.start));
    lines.push_back(when(s, "DTSTART", s.start));
    const int endKind = rng_.range(0, 99);
    if (s.form == Form::AllDay) {
      if (endKind < 60)
        lines.push_back(when(s, "DTEND", s.start + days{s.lengthDays}));
      else if (endKind < 80)
        if (rng_.chance(40)) {
          s.lengthDays = 7;
          lines.push_back("DURATION:P1W");
        } else {
          lines.push_back("DURATION:P" + std::to_string(s.lengthDays) + "D");
        }
      else
        s.lengthDays = 1;
    } else if (endKind < 60) {
      lines.push_back(when(s, "DTEND", s.start + minutes{s.lengthMinutes}));
    } else if (endKind < 85) {
      lines.push_back("DURATION:PT" + std::to_string(s.lengthMinutes / 60) + "H" +
                      std::to_string(s.lengthMinutes % 60) + "M");
    } else {
      s.lengthMinutes = 0;
    }
    const std::string title = summary();
    if (!rng_.chance(5)) lines.push_back("SUMMARY:" + escapeText(title));
    if (rng_.chance(25)) {
      static constexpr std::array<std::string_view, 3> kStatus = {"CONFIRMED", "TENTATIVE",
                                                                  "CANCELLED"};
      lines.push_back("STATUS:" + std::string(rng_.pick(kStatus)));
    }
    std::set<local_days> rdateDays;
    if (recurring) {
      lines.push_back(rule);
      exdates(s, lines);
      if (s.simple && s.freq == Freq::Weekly && rng_.chance(20)) {
        // Extra dates between two weekly instances, at the same time of day.
        const local_seconds t = s.start + days{7 * s.interval * rng_.range(0, 4) + 3};
        rdateDays.insert(floor<days>(t));
        lines.push_back(when(s, "RDATE", t));
      }
    }
    const bool overridesFirst = rng_.chance(20);
    std::vector<std::string> overrideText;
    if (recurring && s.simple && rng_.chance(50)) overrides(s, title, rdateDays, overrideText);
    if (overridesFirst)
      for (const std::string& o : overrideText) ics.line(o);
    ics.line("BEGIN:VEVENT");
    for (const std::string& l : lines) ics.line(l);
    ics.line("END:VEVENT");
    if (!overridesFirst)
      for (const std::string& o : overrideText) ics.line(o);
  }

  void exdates(Series& s, std::vector<std::string>& lines) {
    if (!rng_.chance(40)) return;
    const int n = rng_.range(1, 3);
    std::vector<local_seconds> values;
    for (int i = 0; i < n; ++i) {
      if (s.simple) {
        const int k = rng_.range(1, 12);
        if (const auto t = instance(s, k)) {
          values.push_back(*t);
          s.excluded.insert(k);
        }
      } else {
        // Possibly not an instance: then it excludes nothing, in any implementation.
        values.push_back(s.start + days{rng_.range(1, 60)});
      }
    }
    if (values.empty()) return;
    if (utcWritable(s) && rng_.chance(30)) {
      for (const local_seconds v : values) lines.push_back("EXDATE:" + utcValue(s, v));
    } else if (rng_.chance(50)) {
      std::string line = when(s, "EXDATE", values[0]);
      for (std::size_t i = 1; i < values.size(); ++i) {
        const std::string one = when(s, "EXDATE", values[i]);
        line += "," + one.substr(one.rfind(':') + 1);
      }
      lines.push_back(line);
    } else {
      for (const local_seconds v : values) lines.push_back(when(s, "EXDATE", v));
    }
  }

  void overrides(const Series& s, const std::string& title, const std::set<local_days>& rdateDays,
                 std::vector<std::string>& out) {
    const int n = rng_.range(1, 2);
    std::set<int> used;
    for (int i = 0; i < n; ++i) {
      const int k = rng_.range(1, 15);
      if (used.contains(k) || s.excluded.contains(k) || !exists(s, k)) continue;
      used.insert(k);
      const local_seconds rid = *instance(s, k);
      local_seconds start = rid;
      std::string newTitle = title;
      bool cancelled = false;
      const int kind = rng_.range(0, 99);
      // Days between instances: a move must not land on another instance's day.
      const int gapDays = s.freq == Freq::Daily ? s.interval : s.freq == Freq::Weekly ? 7 : 28;
      if (kind < 40) {
        if (s.form == Form::AllDay) {
          if (gapDays > 2) start += days{rng_.chance(50) ? 1 : -1};
        } else {
          const auto tod = duration_cast<minutes>(rid - floor<days>(rid));
          const int latest = 22 * 60 - int(s.lengthMinutes);
          const int newTod = std::clamp(int(tod.count()) + 60 * rng_.range(-3, 3), 6 * 60,
                                        std::max(6 * 60, latest));
          start = floor<days>(rid) + minutes{newTod};
          if (gapDays > 2 && rng_.chance(30)) start += days{1};
        }
        if (rdateDays.contains(floor<days>(start)) || rdateDays.contains(floor<days>(rid)))
          continue;
      } else if (kind < 70) {
        newTitle = "Renamed: " + title;
      } else {
        cancelled = true;
      }
      std::vector<std::string> lines = {"BEGIN:VEVENT", "UID:" + s.uid, "DTSTAMP:20250102T000000Z",
                                        utcWritable(s) && rng_.chance(30)
                                            ? "RECURRENCE-ID:" + utcValue(s, rid)
                                            : when(s, "RECURRENCE-ID", rid),
                                        when(s, "DTSTART", start)};
      if (s.form == Form::AllDay)
        lines.push_back(when(s, "DTEND", start + days{s.lengthDays}));
      else
        lines.push_back(when(s, "DTEND", start + minutes{s.lengthMinutes}));
      lines.push_back("SUMMARY:" + escapeText(newTitle));
      if (cancelled) lines.push_back("STATUS:CANCELLED");
      lines.push_back("END:VEVENT");
      out.insert(out.end(), lines.begin(), lines.end());
    }
  }

  Rng rng_;
};

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  if (const auto launched = cb::test::launcherMain(argc, argv)) return *launched;
  std::uint64_t seed = kDefaultSeed;
  int count = kDefaultCount;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--keep") {
      keep = true;
    } else if ((a == "--seed" || a == "--count") && i + 1 < argc) {
      const std::string_view v = argv[++i];
      const auto rc = a == "--seed" ? std::from_chars(v.data(), v.data() + v.size(), seed)
                                    : std::from_chars(v.data(), v.data() + v.size(), count);
      if (rc.ec != std::errc{}) return 2;
    } else {
      std::fputs("usage: test_random_oracle [--seed S] [--count N] [--keep]\n", stderr);
      return 2;
    }
  }
  const std::string binary = cb::test::env("CB_BINARY");
  const std::string oracle =
      cb::test::env("CB_SOURCE_ROOT") + "/../shared/ics-oracle/occurrences.py";
  const std::string python = "/usr/bin/python3";
  if (binary.empty() || !std::filesystem::exists(oracle) || !std::filesystem::exists(python)) {
    std::printf("SKIP: needs CB_BINARY, %s and %s\n", oracle.c_str(), python.c_str());
    return 77;
  }
  const auto probe = cb::test::runWithDeadline(
      {python, "-c", "import recurring_ical_events, icalendar, x_wr_timezone"}, kDeadline);
  if (probe.exitCode != 0) {
    std::printf("SKIP: %s cannot import recurring_ical_events\n", python.c_str());
    return 77;
  }

  cb::test::TempDir dir("cb-random-oracle");
  Generator gen(seed);
  int agree = 0;
  for (int i = 0; i < count; ++i) {
    const Generator::Calendar cal = gen.calendar(i);
    const std::string file = dir.write("cal-" + std::to_string(i) + ".ics", cal.text);
    const auto ours = cb::test::runWithDeadline(
        {binary, "occurrences", file, "--from", cal.from, "--to", cal.to, "--tz", cal.tz},
        kDeadline);
    const auto ref =
        cb::test::runWithDeadline({python, oracle, file, cal.from, cal.to, cal.tz}, kDeadline);
    std::string problem;
    if (ref.exitCode != 0 || ref.err.find("WARNING") != std::string::npos) {
      problem = "the oracle rejected or doubted this generated calendar (a generator bug):\n" +
                ref.out.substr(0, 500) + ref.err.substr(0, 1000);
    } else if (ours.exitCode != 0 || ours.timedOut || ours.signal != 0) {
      problem = "calendarbot exit " + std::to_string(ours.exitCode) + " signal " +
                std::to_string(ours.signal) + (ours.timedOut ? " (timed out)" : "") + "\n" +
                ours.out.substr(0, 500) + ours.err.substr(0, 1000);
    } else if (ours.out != ref.out) {
      const auto a = splitLines(ours.out), b = splitLines(ref.out);
      std::vector<std::string> onlyOurs, onlyRef;
      std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(onlyOurs));
      std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(onlyRef));
      problem = std::to_string(a.size()) + " lines from calendarbot, " + std::to_string(b.size()) +
                " from the oracle\n";
      for (std::size_t j = 0; j < onlyOurs.size() && j < 8; ++j)
        problem += "  ours only:   " + onlyOurs[j] + "\n";
      for (std::size_t j = 0; j < onlyRef.size() && j < 8; ++j)
        problem += "  oracle only: " + onlyRef[j] + "\n";
      if (onlyOurs.empty() && onlyRef.empty()) problem += "  (same lines, different order)\n";
    }
    if (problem.empty()) {
      ++agree;
      std::printf("agree    %s  %zu occurrences\n", file.c_str(),
                  std::size_t(std::count(ref.out.begin(), ref.out.end(), '\n')));
    } else {
      std::printf("DISAGREE %s  window %s %s %s\n%s", file.c_str(), cal.from.c_str(),
                  cal.to.c_str(), cal.tz.c_str(), problem.c_str());
      std::printf("  repeat: %s occurrences %s --from %s --to %s --tz %s\n", binary.c_str(),
                  file.c_str(), cal.from.c_str(), cal.to.c_str(), cal.tz.c_str());
    }
  }
  if (agree != count || keep) dir.keep();
  std::printf("%d/%d random calendars agree with the oracle (seed %llu, files in %s)\n", agree,
              count, static_cast<unsigned long long>(seed), dir.path().c_str());
  return agree == count ? 0 : 1;
}
