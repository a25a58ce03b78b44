// libical 3.0.16's verdict on an RRULE value, for the common shapes without calling libical.
//
// What icalrecurrencetype_from_string() does, as checked against the installed library (and
// by tests/ics/test_validrrule.cpp): it splits the value at ';' and stops at the first empty
// part (a trailing ';' is fine, and so is anything after ";;"). A part without '=', an
// unknown name, a bad value or a repeated part is an error, and any error rejects the whole
// rule, as does a missing FREQ. "Repeated" is libical's test: INTERVAL may come again while it
// is still 1, WKST while it is still MO. COUNT and UNTIL exclude each other. Names and keyword
// values are case-insensitive (we read upper case only and leave the rest to libical).
// COUNT and INTERVAL are read with atoi (INTERVAL then cut to a short; we reject what does
// not fit instead, see rruleNumbersFit), BY lists with strtol
// per item (an empty item is 0). The BY ranges follow libical's array sizes, which with
// RSCALE (ICU) support are wider than the Gregorian ones: BYMONTH 1..13, BYWEEKNO ±1..55,
// BYYEARDAY and BYSETPOS ±1..385, a BYDAY ordinal ±0..55. UNTIL is read with sscanf, so only
// an all-zero date is rejected.
//
// Every byte is looked at before an answer depends on it, and none we accept is a NUL (where
// libical's C string would end), so a value with a NUL always goes to libical.
#include "ics/rrule_check.hpp"

#include <libical/ical.h>

#include <cstdint>
#include <cstring>
#include <iterator>

namespace cb::ics {
namespace {

// Another libical may read rules differently: then every rule goes to libical.
#if ICAL_MAJOR_VERSION == 3 && ICAL_MINOR_VERSION == 0 && ICAL_PATCH_VERSION == 16
constexpr bool kKnownLibical = true;
#else
constexpr bool kKnownLibical = false;
#endif

// The outcome of one rule part.
enum class Step : unsigned char { kOk, kBad, kAsk };

bool isUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// The rule text still to read; a part's value ends at ';' or at the end of the text.
struct Reader {
  const char* p;
  const char* end;

  [[nodiscard]] bool atPartEnd() const { return p == end || *p == ';'; }
  [[nodiscard]] bool at(char c) const { return p != end && *p == c; }
  // Moves past `s` when the text goes on with it.
  bool skip(std::string_view s) {
    if (std::size_t(end - p) < s.size() || std::memcmp(p, s.data(), s.size()) != 0) return false;
    p += s.size();
    return true;
  }
  // Moves past upper-case letters; returns them.
  std::string_view letters() {
    const char* const from = p;
    while (p != end && isUpper(*p)) ++p;
    return {from, std::size_t(p - from)};
  }
};

// 0 = SU … 6 = SA; -1 when the two letters are no weekday.
int weekday(char a, char b) {
  switch (a) {
    case 'S':
      return b == 'U' ? 0 : b == 'A' ? 6 : -1;
    case 'M':
      return b == 'O' ? 1 : -1;
    case 'T':
      return b == 'U' ? 2 : b == 'H' ? 4 : -1;
    case 'W':
      return b == 'E' ? 3 : -1;
    case 'F':
      return b == 'R' ? 5 : -1;
    default:
      return -1;
  }
}
constexpr int kMonday = 1;

// What the parts read so far have set, as far as libical's checks look at it.
struct State {
  bool freq = false;
  bool countOrUntil = false;
  short interval = 1;
  int wkst = kMonday;
  unsigned by = 0;  // BYxxx parts given, one bit each
};

enum class Name : unsigned char {
  kFreq,
  kCount,
  kUntil,
  kInterval,
  kWkst,
  kBy,  // the first of the BYxxx names, in kByParts' order
  kOther = kBy + 9,
};

struct ByPart {
  std::string_view name;  // with its '='
  int size;               // libical's array size (ICAL_BY_*_SIZE, the RSCALE build's)
  int min;                // 1: positive only; 0: zero or positive; -1: signed, zero not allowed
};

constexpr ByPart kByParts[] = {
    {"BYDAY=", ICAL_BY_DAY_SIZE, 0},  // read by dayList()
    {"BYMONTHDAY=", ICAL_BY_MONTHDAY_SIZE, -1},
    {"BYMONTH=", ICAL_BY_MONTH_SIZE, 1},
    {"BYSETPOS=", ICAL_BY_SETPOS_SIZE, -1},
    {"BYHOUR=", ICAL_BY_HOUR_SIZE, 0},
    {"BYMINUTE=", ICAL_BY_MINUTE_SIZE, 0},
    {"BYSECOND=", ICAL_BY_SECOND_SIZE, 0},
    {"BYYEARDAY=", ICAL_BY_YEARDAY_SIZE, -1},
    {"BYWEEKNO=", ICAL_BY_WEEKNO_SIZE, -1},
};
static_assert(std::size_t(Name::kOther) - std::size_t(Name::kBy) == std::size(kByParts));

// A name we read, with its '=', or kOther (and nothing read).
Name readName(Reader& r) {
  switch (*r.p) {
    case 'F':
      if (r.skip("FREQ=")) return Name::kFreq;
      break;
    case 'U':
      if (r.skip("UNTIL=")) return Name::kUntil;
      break;
    case 'C':
      if (r.skip("COUNT=")) return Name::kCount;
      break;
    case 'I':
      if (r.skip("INTERVAL=")) return Name::kInterval;
      break;
    case 'W':
      if (r.skip("WKST=")) return Name::kWkst;
      break;
    case 'B':
      for (std::size_t i = 0; i < std::size(kByParts); ++i)
        if (r.skip(kByParts[i].name)) return Name(int(Name::kBy) + int(i));
      break;
    default:
      break;
  }
  return Name::kOther;
}

// Any other part: an error unless it is RSCALE or SKIP (libical's to judge), or not plain
// upper case up to its '=' (libical ignores case; spaces, digits, '-', NULs: its call too).
Step otherPart(Reader& r) {
  const std::string_view name = r.letters();
  if (r.atPartEnd()) return Step::kBad;  // no '='
  if (!r.at('=')) return Step::kAsk;
  return name == "RSCALE" || name == "SKIP" ? Step::kAsk : Step::kBad;
}

// COUNT and INTERVAL as atoi reads them, for up to 9 digits (no digits: 0); -1 for anything
// else (more digits, signs, spaces, junk: libical's call).
int number(Reader& r) {
  const char* const from = r.p;
  int n = 0;
  while (r.p != r.end && isDigit(*r.p) && r.p - from < 9) n = n * 10 + (*r.p++ - '0');
  return r.atPartEnd() ? n : -1;
}

// Moves past `n` (at most 8) digits, tested together; `any` gets their values or'd into it.
bool digits(Reader& r, std::size_t n, std::uint64_t& any) {
  constexpr std::uint64_t kZeros = 0x3030303030303030;  // "00000000"
  constexpr std::uint64_t kHigh = 0xf0f0f0f0f0f0f0f0;
  constexpr std::uint64_t kSix = 0x0606060606060606;
  if (std::size_t(r.end - r.p) < n) return false;
  std::uint64_t x = kZeros;  // bytes past n stay '0'
  std::memcpy(&x, r.p, n);
  // A digit byte is 0x30..0x39: its high half is 3, and still is when 6 is added. (A byte
  // whose addition carries fails the first test anyway.)
  if (((x & kHigh) ^ kZeros) | (((x + kSix) & kHigh) ^ kZeros)) return false;
  any |= x & ~kHigh;
  r.p += n;
  return true;
}

// UNTIL as icaltime_from_string() reads it, in the basic forms: yyyymmdd, yyyymmddThhmmss and
// yyyymmddThhmmssZ. It rejects only a time whose fields are all 0 (icaltime_is_null_time).
Step until(Reader& r) {
  if (r.atPartEnd()) return Step::kBad;
  std::uint64_t any = 0;
  if (!digits(r, 8, any)) return Step::kAsk;
  if (r.at('T')) {
    ++r.p;
    if (!digits(r, 6, any)) return Step::kAsk;
    if (r.at('Z')) ++r.p;
  }
  if (!r.atPartEnd()) return Step::kAsk;
  return any ? Step::kOk : Step::kBad;
}

// A BYxxx number list as libical's icalrecur_add_byrules() reads it, item by item.
Step numberList(Reader& r, const ByPart& part) {
  const int max = part.size - (part.min == 0 ? 1 : 0);
  for (int item = 1;; ++item) {
    if (item >= part.size) return Step::kAsk;  // libical writes past a full array
    const char* const start = r.p;
    const bool negative = r.at('-');
    if (negative || r.at('+')) ++r.p;
    const char* const from = r.p;
    int n = 0;
    while (r.p != r.end && isDigit(*r.p) && r.p - from < 9) n = n * 10 + (*r.p++ - '0');
    // More digits, spaces, junk, a lone sign, BYMONTH's leap "L": libical's call.
    if (!r.atPartEnd() && !r.at(',')) return Step::kAsk;
    if (r.p == from && r.p != start) return Step::kAsk;
    const int v = negative ? -n : n;  // an empty item is strtol's 0
    if (v < 0 ? (part.min >= 0 || v <= -max) : v > 0 ? v >= max : part.min != 0) return Step::kBad;
    if (r.atPartEnd()) return Step::kOk;
    ++r.p;
  }
}

// BYDAY as icalrecur_add_bydayrules() reads it: an optional signed ordinal, then a weekday.
Step dayList(Reader& r) {
  for (int item = 1;; ++item) {
    if (item >= ICAL_BY_DAY_SIZE) return Step::kAsk;
    const char* const start = r.p;
    const bool sign = r.at('-') || r.at('+');
    if (sign) ++r.p;
    const char* const from = r.p;
    int ordinal = 0;
    while (r.p != r.end && isDigit(*r.p) && r.p - from < 2) ordinal = ordinal * 10 + (*r.p++ - '0');
    if (sign && r.p == from) return Step::kAsk;  // "+MO": strtol reads nothing
    const std::string_view day = r.letters();
    if (!r.atPartEnd() && !r.at(',')) return Step::kAsk;  // "mo", "1 MO", "100MO" …
    if (r.p == start) return Step::kBad;                  // an empty item
    if (day.empty()) return Step::kAsk;                   // an ordinal alone
    if (day.size() != 2 || weekday(day[0], day[1]) < 0 || ordinal >= ICAL_BY_WEEKNO_SIZE)
      return Step::kBad;
    if (r.atPartEnd()) return Step::kOk;
    ++r.p;
  }
}

// A keyword value we do not know: an error when it is upper-case letters only (or nothing),
// as libical, which ignores case, does not know it either.
Step unknownKeyword(Reader& r) {
  r.letters();
  return r.atPartEnd() ? Step::kBad : Step::kAsk;
}

Step freq(Reader& r, State& st) {
  if (st.freq) return Step::kBad;
  bool known = false;
  switch (r.p == r.end ? ';' : *r.p) {
    case 'D':
      known = r.skip("DAILY");
      break;
    case 'W':
      known = r.skip("WEEKLY");
      break;
    case 'M':
      known = r.skip("MONTHLY") || r.skip("MINUTELY");
      break;
    case 'Y':
      known = r.skip("YEARLY");
      break;
    case 'H':
      known = r.skip("HOURLY");
      break;
    case 'S':
      known = r.skip("SECONDLY");
      break;
    default:
      break;
  }
  if (!known || !r.atPartEnd()) return unknownKeyword(r);  // "DAILYX" goes on from its X
  st.freq = true;
  return Step::kOk;
}

Step wkst(Reader& r, State& st) {
  if (st.wkst != kMonday) return Step::kBad;
  const int day = r.end - r.p >= 2 ? weekday(r.p[0], r.p[1]) : -1;
  if (day < 0) return unknownKeyword(r);
  r.p += 2;
  if (!r.atPartEnd()) return unknownKeyword(r);
  st.wkst = day;
  return Step::kOk;
}

Step part(Reader& r, State& st) {
  const Name name = readName(r);
  switch (name) {
    case Name::kFreq:
      return freq(r, st);
    case Name::kCount:
    case Name::kUntil: {
      if (st.countOrUntil) return Step::kBad;  // a second one, or both
      st.countOrUntil = true;
      if (name == Name::kUntil) return until(r);
      const int n = number(r);
      return n < 0 ? Step::kAsk : n < 1 ? Step::kBad : Step::kOk;
    }
    case Name::kInterval: {
      if (st.interval > 1) return Step::kBad;
      const int n = number(r);
      if (n < 0) return Step::kAsk;
      // libical's (short)atoi() reads 65537 as 1: a number that overflows is an error here.
      if (n > 32767) return Step::kBad;
      st.interval = static_cast<short>(n);
      return st.interval < 1 ? Step::kBad : Step::kOk;
    }
    case Name::kWkst:
      return wkst(r, st);
    case Name::kOther:
      return otherPart(r);
    default: {
      const int i = int(name) - int(Name::kBy);
      if (st.by & (1u << i)) return Step::kBad;
      st.by |= 1u << i;
      return i == 0 ? dayList(r) : numberList(r, kByParts[i]);
    }
  }
}

}  // namespace

RruleVerdict quickRruleVerdict(std::string_view rrule) noexcept {
  static const bool rscale = icalrecurrencetype_rscale_is_supported() != 0;
  if (!kKnownLibical || !rscale) return RruleVerdict::kUnsure;
  State st;
  Reader r{rrule.data(), rrule.data() + rrule.size()};
  while (!r.atPartEnd()) {  // an empty part ends libical's reading
    switch (part(r, st)) {
      case Step::kOk:
        break;
      case Step::kBad:
        return RruleVerdict::kInvalid;
      case Step::kAsk:
        return RruleVerdict::kUnsure;
    }
    if (r.p == r.end) break;
    ++r.p;  // the ';'
  }
  return st.freq ? RruleVerdict::kValid : RruleVerdict::kInvalid;
}

bool rruleNumbersFit(std::string_view rule) {
  rule = rule.substr(0, rule.find('\0'));  // libical's C string ends there
  while (!rule.empty()) {
    const std::size_t semi = std::min(rule.find(';'), rule.size());
    std::string_view part = rule.substr(0, semi);
    rule.remove_prefix(std::min(rule.size(), semi + 1));
    if (part.empty()) break;  // libical stops at the first empty part
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = part.substr(0, eq);
    std::string_view value = part.substr(eq + 1);
    auto named = [&](std::string_view want) {
      if (name.size() != want.size()) return false;
      for (std::size_t i = 0; i < want.size(); ++i)
        if ((name[i] & ~0x20) != want[i]) return false;
      return true;
    };
    const bool interval = named("INTERVAL");
    if (!interval && !named("COUNT")) continue;
    // As atoi reads it: blanks, a sign, digits.
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    if (!value.empty() && (value.front() == '+' || value.front() == '-')) value.remove_prefix(1);
    std::uint64_t n = 0;
    const std::uint64_t limit = interval ? 32767 : 2147483647;
    for (char c : value) {
      if (!isDigit(c)) break;
      n = n * 10 + std::uint64_t(c - '0');
      if (n > limit) return false;
    }
  }
  return true;
}

}  // namespace cb::ics
