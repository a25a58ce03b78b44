// libical itself as the reference for our RRULE reader (ics/rrule_check.hpp): its verdict, the
// fields of its icalrecurrencetype next to ours, and the RRULE values of the shared corpus.
// Shared by tests/ics/test_validrrule.cpp, fuzz/fuzz_rrule.cpp and perf/bench_rrule.cpp, which
// link libical themselves.
#pragma once

#include <libical/ical.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

#include "ics/rrule_check.hpp"

namespace cb::test {

// COUNT or INTERVAL past what libical's int / short holds (which libical wraps: INTERVAL=65537
// is read as 1): an error for us, whatever libical says. Written apart from rruleNumbersFit.
inline bool overflows(const std::string& value) {
  std::string rule = value;  // names are case-insensitive
  for (char& c : rule) c = char(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string key : {"INTERVAL=", "COUNT="}) {
    for (std::size_t at = 0; (at = rule.find(key, at)) != std::string::npos; at += key.size()) {
      if (at > 0 && rule[at - 1] != ';') continue;
      if (rule.find(";;") < at || rule.find('\0') < at) break;  // libical stopped before
      std::size_t i = at + key.size();
      while (i < rule.size() && (rule[i] == ' ' || rule[i] == '\t')) ++i;
      if (i < rule.size() && (rule[i] == '+' || rule[i] == '-')) ++i;
      std::size_t end = i;
      while (end < rule.size() && std::isdigit(static_cast<unsigned char>(rule[end]))) ++end;
      const std::string digits = rule.substr(i, end - i);
      const std::size_t nz = digits.find_first_not_of('0');
      const std::string sig = nz == std::string::npos ? "" : digits.substr(nz);
      const std::string max = key[0] == 'I' ? "32767" : "2147483647";
      if (sig.size() > max.size() || (sig.size() == max.size() && sig > max)) return true;
    }
  }
  return false;
}

// libical's reading of `rule` as a C string (it ends at a NUL), as validRrule() hands it over.
struct LibicalRule {
  icalrecurrencetype rule;
  bool ok;  // accepted, and no number overflows

  explicit LibicalRule(const std::string& text) {
    icalerror_clear_errno();
    rule = icalrecurrencetype_from_string(text.c_str());
    ok = rule.freq != ICAL_NO_RECURRENCE && icalerrno == ICAL_NO_ERROR && !overflows(text);
    icalerror_clear_errno();
  }
  ~LibicalRule() { std::free(rule.rscale); }
  LibicalRule(const LibicalRule&) = delete;
  LibicalRule& operator=(const LibicalRule&) = delete;
};

inline bool libicalAccepts(const std::string& rule) {
  return LibicalRule(rule).ok;
}

// The first field in which `ours` differs from libical's reading of `rule`; empty when every
// field is the same (all of each BY array, terminators and unused entries included).
inline std::string differenceFromLibical(const std::string& rule,
                                         const cb::ics::ParsedRrule& ours) {
  const LibicalRule ref(rule);
  if (!ref.ok) return "libical rejects it";
  const icalrecurrencetype& a = ours.rule;
  const icalrecurrencetype& b = ref.rule;
  auto num = [](std::string_view name, long x, long y) {
    return x == y ? std::string()
                  : std::string(name) + " " + std::to_string(x) +
                        " (libical: " + std::to_string(y) + ")";
  };
  auto array = [&num](std::string_view name, const short* x, const short* y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      if (x[i] != y[i]) return num(std::string(name) + "[" + std::to_string(i) + "]", x[i], y[i]);
    return std::string();
  };
  const bool libicalUtc = icaltime_is_utc(b.until) != 0;
  const std::string diffs[] = {
      num("freq", a.freq, b.freq),
      num("until.year", a.until.year, b.until.year),
      num("until.month", a.until.month, b.until.month),
      num("until.day", a.until.day, b.until.day),
      num("until.hour", a.until.hour, b.until.hour),
      num("until.minute", a.until.minute, b.until.minute),
      num("until.second", a.until.second, b.until.second),
      num("until.is_date", a.until.is_date, b.until.is_date),
      num("until.is_daylight", a.until.is_daylight, b.until.is_daylight),
      num("untilUtc", ours.untilUtc, libicalUtc),
      // Our zone is always none; libical's is none or its UTC zone (untilUtc says which).
      num("until.zone set", a.until.zone != nullptr, b.until.zone != nullptr && !libicalUtc),
      num("count", a.count, b.count),
      num("interval", a.interval, b.interval),
      num("week_start", a.week_start, b.week_start),
      array("by_second", a.by_second, b.by_second, ICAL_BY_SECOND_SIZE),
      array("by_minute", a.by_minute, b.by_minute, ICAL_BY_MINUTE_SIZE),
      array("by_hour", a.by_hour, b.by_hour, ICAL_BY_HOUR_SIZE),
      array("by_day", a.by_day, b.by_day, ICAL_BY_DAY_SIZE),
      array("by_month_day", a.by_month_day, b.by_month_day, ICAL_BY_MONTHDAY_SIZE),
      array("by_year_day", a.by_year_day, b.by_year_day, ICAL_BY_YEARDAY_SIZE),
      array("by_week_no", a.by_week_no, b.by_week_no, ICAL_BY_WEEKNO_SIZE),
      array("by_month", a.by_month, b.by_month, ICAL_BY_MONTH_SIZE),
      array("by_set_pos", a.by_set_pos, b.by_set_pos, ICAL_BY_SETPOS_SIZE),
      num("rscale set", a.rscale != nullptr, b.rscale != nullptr),
      num("skip", a.skip, b.skip),
  };
  for (const std::string& d : diffs)
    if (!d.empty()) return d;
  return {};
}

// The distinct RRULE and EXRULE values of every file under `dir` (lines unfolded, the value
// after the first ':' outside quotes), in a stable order.
inline std::set<std::string> corpusRrules(const std::filesystem::path& dir) {
  std::set<std::string> rules;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    std::string unfolded;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
      if (text[i] == '\n' && i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '\t')) {
        ++i;
        continue;
      }
      unfolded += text[i];
    }
    std::size_t from = 0;
    while (from < unfolded.size()) {
      const std::size_t end = std::min(unfolded.find('\n', from), unfolded.size());
      const std::string_view line(unfolded.data() + from, end - from);
      from = end + 1;
      std::string name;
      for (char c : line.substr(0, 6)) name += char(std::toupper(static_cast<unsigned char>(c)));
      if (name.rfind("RRULE", 0) != 0 && name != "EXRULE") continue;
      const std::size_t after = name[0] == 'R' ? 5 : 6;
      if (line.size() <= after || (line[after] != ':' && line[after] != ';')) continue;
      bool quoted = false;
      for (std::size_t i = after; i < line.size(); ++i) {
        if (line[i] == '"') quoted = !quoted;
        if (line[i] == ':' && !quoted) {
          rules.emplace(line.substr(i + 1));
          break;
        }
      }
    }
  }
  return rules;
}

}  // namespace cb::test
