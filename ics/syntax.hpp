// RFC 5545 content-line syntax: names, parameters, TEXT, DATE/DATE-TIME, DURATION, RRULE text.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "ics/event.hpp"
#include "ics/reader.hpp"
#include "ics/store_data.hpp"

namespace cb::ics {

// The one case-insensitive compare of the module. OR-ing 0x20 folds ASCII letters and
// leaves digits, '-', '.', ':' and the like alone; it also confuses a few pairs that names,
// keywords and addresses do not tell apart by ('@' and '`', '[' and '{'), and CR with '-'
// (a content line holds no CR). Eight bytes a step, the last step overlapping.
[[gnu::always_inline]] inline bool foldedEqual(const char* a, const char* b, std::size_t n) {
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i)
      if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
  }
  if (n < 8) {
    auto half = [](const char* p, std::size_t at) {
      std::uint32_t w = 0;
      std::memcpy(&w, p + at, 4);
      return w | 0x20202020u;
    };
    return half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4);
  }
  auto word = [](const char* p, std::size_t at) {
    std::uint64_t w = 0;
    std::memcpy(&w, p + at, 8);
    return w | 0x2020202020202020u;
  };
  for (std::size_t i = 0; i + 8 < n; i += 8)
    if (word(a, i) != word(b, i)) return false;
  return word(a, n - 8) == word(b, n - 8);
}

[[gnu::always_inline]] inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && foldedEqual(a.data(), b.data(), a.size());
}

// How a content line's name compares with NAME: Maybe when the line (a first physical
// line) ends inside NAME, i.e. it was folded before its ';' or ':'.
enum class Match : std::uint8_t { No, Yes, Maybe };

[[gnu::always_inline]] inline Match nameIs(std::string_view line, std::string_view name) {
  if (line.size() > name.size()) {
    const char t = line[name.size()];
    return (t == ';' || t == ':') && foldedEqual(line.data(), name.data(), name.size()) ? Match::Yes
                                                                                        : Match::No;
  }
  return foldedEqual(line.data(), name.data(), line.size()) ? Match::Maybe : Match::No;
}

struct ContentLine {
  std::string_view name;
  std::string_view params;  // from the first ';' up to the value's ':'
  std::string_view value;
  bool hasColon = false;
};

[[nodiscard]] ContentLine splitLine(std::string_view line);

// The value of parameter `key` (any case) in `params` (";A=1;B=\"x\""), unquoted; empty
// when absent.
[[nodiscard]] std::string_view param(std::string_view params, std::string_view key);

// RFC 5545 3.3.11 TEXT into `out`: \n \N \, \; \\ (anything else after '\' is kept as is),
// cut to at most `limit` bytes at a character boundary.
void unescapeText(std::string_view v, std::string& out, std::size_t limit);

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or code points past
// U+10FFFF).
[[nodiscard]] bool validUtf8(std::string_view s);

// Text from a feed that is not UTF-8 (older exporters write Latin-1 / Windows-1252) is
// decoded as Windows-1252; bytes that code page leaves undefined become U+FFFD. Valid
// UTF-8 is left alone. Afterwards `text` is at most `limit` bytes, cut between characters.
void makeUtf8(std::string& text, std::size_t limit);

// The date "yyyymmdd" that v starts with, as the number yyyymmdd (which orders as dates
// do), or -1 when it is not a valid date.
[[nodiscard]] int leadingDate(std::string_view v);

[[nodiscard]] inline int yyyymmdd(Date d) {
  const std::chrono::year_month_day ymd{d};
  return int(ymd.year()) * 10000 + int(unsigned(ymd.month())) * 100 + int(unsigned(ymd.day()));
}

struct RawTime {
  enum Kind : std::uint8_t { Date, Utc, Local } kind = Local;
  LocalSeconds value{};  // Date: midnight; Utc: UTC wall clock
};

// DATE "20250310" or DATE-TIME "20250310T093000[Z]".
[[nodiscard]] std::optional<RawTime> parseRawTime(std::string_view v);

// RFC 5545 3.3.6 DURATION.
[[nodiscard]] std::optional<Span> parseDuration(std::string_view v);

// An RRULE value without parts that carry no NAME=VALUE (junk such as
// "RRULE:AnythingRandom;FREQ=...") or are extensions (X-...); blanks trimmed.
[[nodiscard]] std::string cleanRrule(std::string_view v);

[[nodiscard]] Status parseStatus(std::string_view v);
[[nodiscard]] Response parsePartstat(std::string_view v);

}  // namespace cb::ics
