// validRrule() and its libical-free reader against libical's own reading of RRULEs: the
// verdict, and on a valid rule every field of the icalrecurrencetype parseRrule() fills.
// Rules: hand-written edge cases, the shared corpus' RRULEs and generated ones.
#include <libical/ical.h>

#include <fmt/format.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ics/rrule_check.hpp"
#include "ics/store_data.hpp"
#include "rrule_reference.hpp"
#include "support.hpp"

using namespace cb::ics;
using cb::test::libicalAccepts;

namespace {

struct Rng {
  std::mt19937 gen{20261207};
  int range(int lo, int hi) { return std::uniform_int_distribution<int>{lo, hi}(gen); }
  bool chance(int percent) { return range(1, 100) <= percent; }
  template <typename T, std::size_t N>
  const T& pick(const T (&a)[N]) {
    return a[std::size_t(range(0, int(N) - 1))];
  }
};

const char* const kDays[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
const char* const kFreqs[] = {"DAILY",  "WEEKLY",   "MONTHLY", "YEARLY",
                              "HOURLY", "MINUTELY", "SECONDLY"};

using Part = std::pair<std::string, std::string>;

std::string untilValue(Rng& rng) {
  const int year = rng.range(1970, 2099), month = rng.range(1, 12), day = rng.range(1, 28);
  std::string s = fmt::format("{}{:02}{:02}", year, month, day);
  if (rng.chance(25)) return s;
  const int hour = rng.range(0, 23), minute = rng.range(0, 59), second = rng.range(0, 59);
  s += fmt::format("T{:02}{:02}{:02}", hour, minute, second);
  return rng.chance(70) ? s + "Z" : s;
}

// A number, now and then at or past the edge of its range.
int edgy(Rng& rng, int lo, int hi, int edge) {
  return rng.chance(100 - edge) ? rng.range(lo, hi) : rng.pick({lo - 1, lo, hi, hi + 1, hi + 2});
}

std::string numbers(Rng& rng, int lo, int hi, bool negative, int maxItems, int edge) {
  std::string s;
  const int n = rng.range(1, maxItems);
  for (int i = 0; i < n; ++i) {
    int v = edgy(rng, lo, hi, edge);
    if (negative && rng.chance(30)) v = -v;
    s += fmt::format("{}{}", i ? "," : "", v);
  }
  return s;
}

std::string days(Rng& rng, bool ordinals, int edge) {
  std::string s;
  const int n = rng.range(1, rng.chance(80) ? 3 : 7);
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    if (ordinals && rng.chance(60)) {
      int o = rng.chance(100 - edge) ? rng.range(1, 5) : rng.pick({0, 53, 55, 56, 60});
      if (rng.chance(35)) o = -o;
      s += std::to_string(o);
    }
    s += rng.pick(kDays);
  }
  return s;
}

// A rule of the shapes feeds use; with `edge` > 0 some numbers are at or past their limits.
std::vector<Part> typicalRule(Rng& rng, int edge) {
  std::vector<Part> p;
  const int f = rng.chance(90) ? rng.range(0, 3) : rng.range(4, 6);
  p.emplace_back("FREQ", kFreqs[f]);
  if (rng.chance(30)) {
    p.emplace_back("COUNT", std::to_string(rng.chance(90) ? rng.range(1, 60) : rng.range(0, 9999)));
  } else if (rng.chance(40)) {
    p.emplace_back("UNTIL", untilValue(rng));
  }
  if (rng.chance(60)) p.emplace_back("INTERVAL", std::to_string(edgy(rng, 1, 12, edge)));
  if (rng.chance(50)) p.emplace_back("BYDAY", days(rng, f >= 2, edge));
  if (rng.chance(20)) p.emplace_back("BYMONTHDAY", numbers(rng, 1, 31, true, 3, edge));
  if (rng.chance(20)) p.emplace_back("BYMONTH", numbers(rng, 1, 12, false, 3, edge));
  if (rng.chance(8)) p.emplace_back("BYYEARDAY", numbers(rng, 1, 366, true, 3, edge));
  if (rng.chance(8)) p.emplace_back("BYWEEKNO", numbers(rng, 1, 53, true, 3, edge));
  if (rng.chance(10)) p.emplace_back("BYSETPOS", numbers(rng, 1, 5, true, 2, edge));
  if (rng.chance(8)) p.emplace_back("BYHOUR", numbers(rng, 0, 23, false, 3, edge));
  if (rng.chance(6)) p.emplace_back("BYMINUTE", numbers(rng, 0, 59, false, 3, edge));
  if (rng.chance(4)) p.emplace_back("BYSECOND", numbers(rng, 0, 60, false, 2, edge));
  if (rng.chance(30)) p.emplace_back("WKST", rng.pick(kDays));
  if (rng.chance(40)) std::shuffle(p.begin(), p.end(), rng.gen);
  return p;
}

std::string join(const std::vector<Part>& parts) {
  std::string s;
  for (const Part& p : parts) s += (s.empty() ? "" : ";") + p.first + "=" + p.second;
  return s;
}

void flipCase(std::string& s, Rng& rng) {
  for (char& c : s)
    if (rng.chance(50) && std::isalpha(static_cast<unsigned char>(c))) c ^= 0x20;
}

// Damage at the level of parts: dropped, repeated, misspelt, odd values.
void mutateParts(std::vector<Part>& p, Rng& rng) {
  static const char* const kNames[] = {
      "FREQ",    "COUNT",     "UNTIL",    "INTERVAL", "WKST",   "BYDAY",    "BYMONTHDAY",
      "BYMONTH", "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "BYHOUR", "BYMINUTE", "BYSECOND",
      "RSCALE",  "SKIP",      "X-FOO",    "BYFOO",    "BY",     "FREQS",    ""};
  static const char* const kValues[] = {"",
                                        "0",
                                        "-1",
                                        "+3",
                                        "1,",
                                        ",1",
                                        "1,,2",
                                        "007",
                                        "5x",
                                        " 5",
                                        "5 ",
                                        "99999",
                                        "-0",
                                        "+",
                                        "1234567890",
                                        "4294967297",
                                        "65537",
                                        "32768",
                                        "1L",
                                        "13",
                                        "14",
                                        "MO",
                                        "mo",
                                        "1mo",
                                        "+1MO",
                                        "-5FR",
                                        "56SU",
                                        "255SU",
                                        "1 MO",
                                        "MO, TU",
                                        "MO,",
                                        "XX",
                                        "DAILY",
                                        "daily",
                                        "GREGORIAN",
                                        "OMIT",
                                        "20240101",
                                        "00000000",
                                        "2024-01-01",
                                        "20240101T000000z",
                                        "20240101T1200",
                                        "00000000T000000Z",
                                        "20241399T999999Z",
                                        "="};
  if (p.empty()) return;
  const std::size_t i = std::size_t(rng.range(0, int(p.size()) - 1));
  switch (rng.range(0, 8)) {
    case 0:
      p.erase(p.begin() + long(i));
      break;
    case 1: {  // repeated, with the same or another value
      Part again = p[i];
      if (rng.chance(50)) again.second = typicalRule(rng, 0)[0].second;
      p.insert(p.begin() + rng.range(0, int(p.size())), again);
      break;
    }
    case 2: {  // misspelt name
      std::string& n = p[i].first;
      if (n.empty()) break;
      const std::size_t k = std::size_t(rng.range(0, int(n.size()) - 1));
      switch (rng.range(0, 2)) {
        case 0:
          n[k] = char('A' + rng.range(0, 25));
          break;
        case 1:
          n.erase(k, 1);
          break;
        default:
          n[k] = char(n[k] | 0x20);
      }
      break;
    }
    case 3:
      p[i].first = rng.pick(kNames);
      break;
    case 4:
      p[i].second = rng.pick(kValues);
      break;
    case 5:
      p.emplace_back(rng.pick(kNames), rng.pick(kValues));
      std::swap(p.back(), p[i]);
      break;
    case 6:
      flipCase(rng.chance(50) ? p[i].first : p[i].second, rng);
      break;
    case 7:  // COUNT and UNTIL both
      p.emplace_back("COUNT", "3");
      p.emplace_back("UNTIL", untilValue(rng));
      if (rng.chance(50)) std::swap(p[p.size() - 1], p[p.size() - 2]);
      break;
    default:
      p[i].second = "";
      break;
  }
}

// Damage at the level of characters, the separators included.
void mutateChars(std::string& s, Rng& rng) {
  static const char kJunk[] = {' ', ',', ';',  '=',  '+', '-', 'x',    'Z', 'T',
                               '0', '9', '\t', '\0', 'L', 'a', '\xe9', ';', ';'};
  switch (rng.range(0, 5)) {
    case 0:
      s.insert(std::size_t(rng.range(0, int(s.size()))), 1, rng.pick(kJunk));
      break;
    case 1:
      if (!s.empty()) s.erase(std::size_t(rng.range(0, int(s.size()) - 1)), 1);
      break;
    case 2:
      if (!s.empty()) s[std::size_t(rng.range(0, int(s.size()) - 1))] = rng.pick(kJunk);
      break;
    case 3:
      s += rng.pick({";", ";;", ";;JUNK", ";x", " "});
      break;
    case 4:
      s.insert(0, rng.pick({";", " ", "=", ";;"}));
      break;
    default:
      flipCase(s, rng);
  }
}

struct Tally {
  int rules = 0;
  int answered = 0;  // by the fast path
  int answeredInvalid = 0;
  std::vector<std::string> wrong;
};

// The verdicts of validRrule(), quickRruleVerdict() and parseRrule() against libical's, and on
// kValid every field parseRrule() filled against libical's.
void compare(const std::string& rule, Tally& t) {
  const bool reference = libicalAccepts(rule);
  const RruleVerdict quick = quickRruleVerdict(rule);
  ParsedRrule parsed;
  const RruleVerdict full = parseRrule(rule, parsed);
  ++t.rules;
  std::string why;
  if (validRrule(rule) != reference) why = "validRrule";
  if (full != quick) why = "parseRrule's verdict is not quickRruleVerdict's";
  if (quick != RruleVerdict::kUnsure) {
    ++t.answered;
    if (quick == RruleVerdict::kInvalid) ++t.answeredInvalid;
    if ((quick == RruleVerdict::kValid) != reference) why = "verdict";
  }
  if (why.empty() && full == RruleVerdict::kValid)
    why = cb::test::differenceFromLibical(rule, parsed);
  if (!why.empty() && t.wrong.size() < 20)
    t.wrong.push_back(rule + (reference ? "  (libical: valid) " : "  (libical: invalid) ") + why);
}

std::string show(const std::vector<std::string>& rules) {
  std::string s;
  for (const std::string& r : rules) {
    for (char c : r) s += c == '\0' ? std::string("\\0") : std::string(1, c);
    s += '\n';
  }
  return s;
}

}  // namespace

TEST_CASE("the fast path answers for the rules feeds use, as libical would", "[validrrule]") {
  // Shapes seen in real feeds (Google, Outlook/Exchange, Apple, VTIMEZONE rules).
  const char* const kRules[] = {
      "FREQ=WEEKLY;UNTIL=20270426T163000Z;INTERVAL=2;BYDAY=MO,WE;WKST=SU",
      "FREQ=DAILY;COUNT=21;INTERVAL=2",
      "FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10",
      "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
      "FREQ=MONTHLY;COUNT=14;INTERVAL=1;BYMONTHDAY=15",
      "FREQ=MONTHLY;BYDAY=1MO,-1FR,+2TU",
      "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
      "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
      "FREQ=YEARLY;UNTIL=20300101",
      "FREQ=DAILY;UNTIL=20250101T090000",
      "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;",
      "FREQ=YEARLY;BYYEARDAY=1,100,-1;BYWEEKNO=20",
      "FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;BYSECOND=0",
      "FREQ=WEEKLY;UNTIL=20150722T080000Z;INTERVAL=1;BYDAY=MO, TU, WE, TH, FR;WKST=SU",
  };
  for (const char* rule : kRules) {
    INFO(rule);
    CHECK(quickRruleVerdict(rule) == RruleVerdict::kValid);
    CHECK(libicalAccepts(rule));
    Tally t;
    compare(rule, t);
    CHECK(show(t.wrong) == "");
  }
  const char* const kBad[] = {
      "FREQ=FORTNIGHTLY",       "FREQ=DAILY;COUNT=0",           "FREQ=DAILY;COUNT=3;UNTIL=20250101",
      "FREQ=DAILY;FREQ=WEEKLY", "FREQ=MONTHLY;BYMONTHDAY=32",   "FREQ=YEARLY;BYMONTH=14",
      "FREQ=DAILY;FOO=1",       "FREQ=DAILY;BYDAY=MO;BYDAY=TU", "COUNT=5",
      "FREQ=DAILY;UNTIL=",      "FREQ=DAILY;INTERVAL=0",        "FREQ=WEEKLY;BYDAY=XX",
  };
  for (const char* rule : kBad) {
    INFO(rule);
    CHECK(quickRruleVerdict(rule) == RruleVerdict::kInvalid);
    CHECK_FALSE(libicalAccepts(rule));
  }
}

TEST_CASE("validRrule agrees with libical on edge cases", "[validrrule]") {
  using namespace std::string_literals;
  const std::string kRules[] = {
      "",
      ";FREQ=DAILY",
      "FREQ=DAILY;;BYMONTH=99",
      "BYMONTH=99;;FREQ=DAILY",
      "FREQ=DAILY;INTERVAL=1;INTERVAL=3",
      "FREQ=DAILY;INTERVAL=3;INTERVAL=1",
      "FREQ=DAILY;INTERVAL=65537;INTERVAL=2",
      "FREQ=DAILY;INTERVAL=32768",
      "FREQ=DAILY;WKST=MO;WKST=SU",
      "FREQ=DAILY;WKST=SU;WKST=MO",
      "FREQ=DAILY;BYHOUR=;BYHOUR=3",
      "FREQ=DAILY;BYSECOND=1,,60",
      "FREQ=DAILY;BYMONTH=1,",
      "FREQ=DAILY;BYDAY=55MO,-55SU,0TU,-0WE",
      "FREQ=DAILY;BYDAY=56MO",
      "FREQ=DAILY;BYDAY=255SU",
      "FREQ=DAILY;UNTIL=00000000T000000Z",
      "FREQ=DAILY;UNTIL=00000000T000001Z",
      "FREQ=DAILY;UNTIL=20241399",
      "FREQ=DAILY;UNTIL=2024-01-01T00:00:00Z",
      "FREQ=DAILY;COUNT=5x",
      "FREQ=DAILY;COUNT=4294967297",
      "FREQ=DAILY;BYMONTH=5L",
      "FREQ=DAILY;RSCALE=GREGORIAN;SKIP=OMIT",
      "FREQ=DAILY;BYSETPOS=1;BYMONTH=1,1,1,1,1,1,1,1,1,1,1,1,1,1;BYSETPOS=2",
      "FREQ=DAILY;BYHOUR=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
      "FREQ=DAILY;BYHOUR=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
      "FREQ=DAILY;BYHOUR=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
      "FREQ=DAILY\0;COUNT=0"s,
      "FREQ=DAILY;\0COUNT=0"s,
      "FREQ=DAILY;COUNT=3\0;COUNT=4"s,
      "FREQ=DAILY;BYDAY=MO\0X"s,
      "FREQ=DA\0ILY"s,
      "FREQ=DAILY\0;INTERVAL=20240101"s,  // libical never reads the number past the NUL
      "FREQ=DAILY;BYDAY=MO\0;COUNT=99999999999"s,
      // The fields, beyond the verdict: BYDAY's order after BYDAY and after each WKST (equal
      // weekdays keep libical's order), signs of a zero ordinal, odd UNTIL fields, limits.
      "FREQ=WEEKLY;BYDAY=SU,MO,SA,1MO,-1MO,TU;WKST=SU",
      "FREQ=WEEKLY;WKST=SU;BYDAY=SA,SU,MO,-1MO,1MO,2MO,-2MO",
      "FREQ=WEEKLY;WKST=MO;BYDAY=FR,TH,-1FR,2TH;WKST=TH",
      "FREQ=WEEKLY;BYDAY=SU,SA,FR,TH,WE,TU,MO;WKST=MO;WKST=WE",
      "FREQ=MONTHLY;BYDAY=-0MO,+0TU,-55FR,+55SA,+1SU,-1SU,01WE,-09TH",
      "FREQ=DAILY;UNTIL=20241399T999999",
      "FREQ=DAILY;UNTIL=00000101",
      "FREQ=DAILY;UNTIL=00000000T000001Z",
      "FREQ=DAILY;UNTIL=20260229",
      "FREQ=YEARLY;UNTIL=99991231T235959Z;INTERVAL=1;INTERVAL=32767",
      "FREQ=DAILY;COUNT=000000001;WKST=SA",
      "FREQ=DAILY;COUNT=2147483647",
      "FREQ=DAILY;BYSETPOS=-385,385,+1;BYYEARDAY=-385,+385,1;BYWEEKNO=-55,55",
      "FREQ=DAILY;BYSECOND=,60;BYMINUTE=+0,59;BYHOUR=023;BYMONTH=13,1;BYMONTHDAY=-31,31",
      "FREQ=SECONDLY;BYSECOND=0;BYMINUTE=0;BYHOUR=0;BYMONTHDAY=1;BYMONTH=1;BYSETPOS=1",
      "FREQ=HOURLY;INTERVAL=1;;FREQ=DAILY",
      // Spaces in lists, as Outlook writes them, and around them.
      "FREQ=WEEKLY;BYDAY=MO, TU, 2 TH, -1 FR, +3 SA",
      "FREQ=WEEKLY;BYDAY= 1 MO, 1  TU",
      "FREQ=WEEKLY;BYDAY=  MO",
      "FREQ=WEEKLY;BYDAY=MO ,TU",
      "FREQ=WEEKLY;BYDAY=MO, ",
      "FREQ=WEEKLY;BYDAY= +MO",
      "FREQ=MONTHLY;BYMONTHDAY=1, 15,  -1;BYMONTH= 2",
      "FREQ=MONTHLY;BYMONTHDAY=1, ",
      "FREQ=MONTHLY;BYMONTHDAY=1 ",
      "FREQ=DAILY;BYHOUR= ,1",
      "FREQ=DAILY;BYHOUR= -",
  };
  Tally t;
  for (const std::string& rule : kRules) compare(rule, t);
  // Full BY arrays (one entry short of libical's size), BYDAY sorted from a week start.
  std::string days = "FREQ=YEARLY;WKST=TH;BYDAY=";
  std::string hours = "FREQ=DAILY;BYHOUR=";
  std::string yearDays = "FREQ=YEARLY;BYYEARDAY=";
  for (int i = 0; i + 1 < ICAL_BY_DAY_SIZE; ++i)
    days += fmt::format("{}{}{}", i ? "," : "", i % 3 ? std::to_string(i % 111 - 55) : "",
                        kDays[(i * 5) % 7]);
  for (int i = 0; i + 1 < ICAL_BY_HOUR_SIZE; ++i)
    hours += fmt::format("{}{}", i ? "," : "", 23 - i);
  for (int i = 0; i + 1 < ICAL_BY_YEARDAY_SIZE; ++i)
    yearDays += fmt::format("{}{}", i ? "," : "", i % 2 ? i + 1 : -i - 1);
  for (const std::string& rule : {days, hours, yearDays}) {
    compare(rule, t);
    CHECK(quickRruleVerdict(rule) == RruleVerdict::kValid);
    CHECK(quickRruleVerdict(rule + ",MO") == RruleVerdict::kUnsure);  // libical overruns it
  }
  INFO(show(t.wrong));
  CHECK(t.wrong.empty());
}

TEST_CASE("parseRrule reads the shared corpus' rules as libical does", "[validrrule]") {
  const std::filesystem::path corpus = cb::test::env("CB_CORPUS");
  REQUIRE(std::filesystem::is_directory(corpus));
  const std::set<std::string> rules = cb::test::corpusRrules(corpus);
  Tally t;
  int accepted = 0;
  int read = 0;  // accepted, and filled by parseRrule
  for (const std::string& rule : rules) {
    compare(rule, t);
    ParsedRrule parsed;
    accepted += libicalAccepts(rule);
    read += parseRrule(rule, parsed) == RruleVerdict::kValid;
  }
  INFO(show(t.wrong));
  CHECK(t.wrong.empty());
  INFO(rules.size() << " distinct rules, " << accepted << " valid for libical, " << read
                    << " read by parseRrule");
  CHECK(rules.size() >= 300);
  // Libical stays for rare shapes only: (nearly) every valid rule of real feeds is read here.
  CHECK(read * 100 >= accepted * 97);
}

TEST_CASE("validRrule agrees with libical on generated rules", "[validrrule]") {
  Rng rng;
  Tally typical;
  Tally mutated;
  for (int i = 0; i < 150000; ++i) {
    const int kind = rng.range(0, 9);
    std::vector<Part> parts = typicalRule(rng, kind < 3 ? 0 : 15);
    if (kind < 3) {
      compare(join(parts), typical);
      continue;
    }
    for (int m = rng.range(kind < 6 ? 1 : 0, 2); m > 0; --m) mutateParts(parts, rng);
    std::string rule = join(parts);
    if (kind >= 6)
      for (int m = rng.range(1, 2); m > 0; --m) mutateChars(rule, rng);
    compare(rule, mutated);
  }
  INFO(show(typical.wrong) << show(mutated.wrong));
  CHECK(typical.wrong.empty());
  CHECK(mutated.wrong.empty());
  // A fast path that always fell back would pass the above: it must answer for typical rules
  // (all of them are in its grammar) and for a good part of the damaged ones.
  CHECK(typical.answered == typical.rules);
  CHECK(mutated.answered * 2 > mutated.rules);
  CHECK(mutated.answeredInvalid * 5 > mutated.rules);
}
