// RFC 5545 content-line syntax: names, parameters, TEXT, DATE/DATE-TIME, DURATION, RRULE text.
#include "ics/syntax.hpp"

#include <algorithm>
#include <bit>
#include <charconv>

namespace cb::ics {

using namespace std::chrono;

ContentLine splitLine(std::string_view line) {
  ContentLine cl;
  cl.name = line.substr(0, findNameEnd(line));
  std::size_t i = cl.name.size();
  const std::size_t paramStart = i;
  // The value starts after the first ':' outside double quotes; quotes are rare.
  i = findEither(line, i, ':', '"');
  if (i < line.size() && line[i] == '"') {
    bool quoted = false;
    for (i = paramStart; i < line.size(); ++i) {
      if (line[i] == '"')
        quoted = !quoted;
      else if (line[i] == ':' && !quoted)
        break;
    }
  }
  cl.params = line.substr(paramStart, i - paramStart);
  cl.hasColon = i < line.size();
  cl.value = cl.hasColon ? line.substr(i + 1) : std::string_view{};
  return cl;
}

std::string_view param(std::string_view params, std::string_view key) {
  std::size_t i = 0;
  while (i < params.size()) {
    if (params[i] != ';') return {};
    const std::size_t eq = params.find('=', i + 1);
    if (eq == std::string_view::npos) return {};
    const std::string_view name = params.substr(i + 1, eq - i - 1);
    std::size_t j = findEither(params, eq + 1, ';', '"');
    if (j < params.size() && params[j] == '"') {  // quotes are rare: the slow way
      bool quoted = false;
      for (j = eq + 1; j < params.size(); ++j) {
        if (params[j] == '"')
          quoted = !quoted;
        else if (params[j] == ';' && !quoted)
          break;
      }
    }
    std::string_view value = params.substr(eq + 1, j - eq - 1);
    if (iequals(name, key)) {
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return value;
    }
    i = j;
  }
  return {};
}

void unescapeText(std::string_view v, std::string& out, std::size_t limit) {
  out.clear();
  std::size_t i = 0;
  while (i < v.size() && out.size() < limit) {
    // Plain runs in one piece: most texts have no escapes at all.
    const std::size_t esc = std::min(v.find('\\', i), v.size());
    out.append(v.data() + i, std::min(esc - i, limit + 1 - out.size()));
    i = esc;
    if (i + 1 >= v.size()) {
      if (i < v.size()) out += v[i];  // a lone '\\' at the end stays
      break;
    }
    const char n = v[i + 1];
    out += (n == 'n' || n == 'N') ? '\n' : n;
    i += 2;
  }
  if (out.size() >= limit) {
    std::size_t cut = limit;
    while (cut > 0 && cut < out.size() && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;  // keep whole UTF-8 sequences
    out.resize(std::min(cut, out.size()));
  }
}

bool validUtf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    // Eight ASCII bytes a step: most texts are all ASCII.
    std::uint64_t w = 0;
    if (i + 8 <= n && (std::memcpy(&w, s.data() + i, 8), (w & 0x8080808080808080u) == 0)) {
      i += 8;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (i + len > n) return false;
    const unsigned c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return false;
    for (std::size_t k = 2; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

namespace {

// Windows-1252 0x80..0x9F (0: undefined there).
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

}  // namespace

void makeUtf8(std::string& text, std::size_t limit) {
  if (validUtf8(text)) return;
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (const char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x80)
      out += ch;
    else if (c < 0xA0)
      appendUtf8(out, kCp1252High[c - 0x80] != 0 ? kCp1252High[c - 0x80] : 0xFFFD);
    else
      appendUtf8(out, c);
  }
  if (out.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  text.swap(out);
}

namespace {

bool num(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const unsigned digit = unsigned(s[i]) - '0';
    if (digit > 9) return false;
    v = v * 10 + int(digit);
  }
  out = v;
  return true;
}

// The number that s[0..8) spells in decimal, or -1 unless all eight are digits: eight
// bytes at once (each run below halves the number of fields).
inline int eightDigits(const char* s) {
  std::uint64_t v = 0;
  std::memcpy(&v, s, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  // A byte below '0' sets its top bit in `lo`, one above '9' (or of 0x80 and up) in
  // `lo` or `hi`; borrows and carries only ever follow a byte that is already caught.
  const std::uint64_t lo = v - 0x3030303030303030u, hi = v + 0x4646464646464646u;
  if (((lo | hi) & 0x8080808080808080u) != 0) return -1;
  v = lo;                                           // eight fields of 0..9
  v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFu;    // four of 0..99
  v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFu;  // two of 0..9999
  return int((v * 10000 + (v >> 32)) & 0xFFFFFFFFu);
}

}  // namespace

int leadingDate(std::string_view v) {
  if (v.size() < 8) return -1;
  const int date = eightDigits(v.data());
  if (date < 0) return -1;
  const int mo = date / 100 % 100, d = date % 100;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return -1;
  if (d > 28 && !year_month_day{year{date / 10000} / mo / d}.ok()) return -1;
  return date;
}

std::optional<RawTime> parseRawTime(std::string_view v) {
  const int date = leadingDate(v);
  if (date < 0) return std::nullopt;
  const year_month_day ymd{year{date / 10000} / unsigned(date / 100 % 100) / unsigned(date % 100)};
  RawTime t;
  t.value = LocalSeconds{local_days{ymd}};
  if (v.size() == 8) {
    t.kind = RawTime::Date;
    return t;
  }
  int h = 0, mi = 0, s = 0;
  if (v.size() < 15 || v[8] != 'T' || !num(v, 9, 2, h) || !num(v, 11, 2, mi) || !num(v, 13, 2, s) ||
      h > 23 || mi > 59 || s > 60)
    return std::nullopt;
  t.value += hours{h} + minutes{mi} + seconds{std::min(s, 59)};
  if (v.size() == 16 && (v[15] == 'Z' || v[15] == 'z')) {
    t.kind = RawTime::Utc;
    return t;
  }
  if (v.size() != 15) return std::nullopt;
  t.kind = RawTime::Local;
  return t;
}

std::optional<Span> parseDuration(std::string_view v) {
  bool negative = false;
  std::size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) negative = v[i++] == '-';
  if (i >= v.size() || v[i++] != 'P') return std::nullopt;
  Span span;
  bool inTime = false, any = false, weeks = false;
  int lastUnit = -1;  // W D H M S, each at most once and in this order (RFC 5545 3.3.6)
  while (i < v.size()) {
    if (v[i] == 'T') {
      if (inTime) return std::nullopt;
      inTime = true;
      ++i;
      continue;
    }
    if (v[i] < '0' || v[i] > '9') return std::nullopt;
    long n = 0;
    auto [p, ec] = std::from_chars(v.data() + i, v.data() + v.size(), n);
    if (ec != std::errc{} || p == v.data() + v.size() || n > 1000000) return std::nullopt;
    i = std::size_t(p - v.data());
    const char unit = v[i++];
    const std::size_t rank = std::string_view("WDHMS").find(unit);
    if (rank == std::string_view::npos || int(rank) <= lastUnit) return std::nullopt;
    lastUnit = int(rank);
    if (!inTime && unit == 'W') {
      weeks = true;
      span.days += std::int32_t(n * 7);
    } else if (!inTime && unit == 'D') {
      span.days += std::int32_t(n);
    } else if (inTime && unit == 'H') {
      span.exact += hours{n};
    } else if (inTime && unit == 'M') {
      span.exact += minutes{n};
    } else if (inTime && unit == 'S') {
      span.exact += seconds{n};
    } else {
      return std::nullopt;
    }
    any = true;
  }
  // RFC 5545 3.3.6: dur-week stands alone ("P1W", never "P1W2D" or "P1WT1H").
  if (!any || (weeks && (span.exact.count() != 0 || span.days % 7 != 0))) return std::nullopt;
  if (negative) {
    span.days = -span.days;
    span.exact = -span.exact;
  }
  return span;
}

std::string cleanRrule(std::string_view v) {
  std::string out;
  while (!v.empty()) {
    std::size_t semi = v.find(';');
    if (semi == std::string_view::npos) semi = v.size();
    std::string_view part = v.substr(0, semi);
    v.remove_prefix(std::min(v.size(), semi + 1));
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (part.empty() || part.find('=') == std::string_view::npos) continue;
    if (part.size() > 2 && (part[0] & ~0x20) == 'X' && part[1] == '-') continue;
    if (!out.empty()) out += ';';
    out.append(part);
  }
  return out;
}

Status parseStatus(std::string_view v) {
  if (iequals(v, "CONFIRMED")) return Status::Confirmed;
  if (iequals(v, "TENTATIVE")) return Status::Tentative;
  if (iequals(v, "CANCELLED")) return Status::Cancelled;
  return v.empty() ? Status::None : Status::Other;
}

Response parsePartstat(std::string_view v) {
  if (iequals(v, "ACCEPTED")) return Response::Accepted;
  if (iequals(v, "DECLINED")) return Response::Declined;
  if (iequals(v, "TENTATIVE")) return Response::Tentative;
  if (iequals(v, "DELEGATED")) return Response::Delegated;
  if (iequals(v, "NEEDS-ACTION")) return Response::NeedsAction;
  return Response::None;
}

}  // namespace cb::ics
