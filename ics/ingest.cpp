// Ingest: components out of the unfolded line stream, VEVENT → compact records, overrides
// matched to their series at finish().
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <unordered_map>

#include "ics/reader.hpp"
#include "ics/store_data.hpp"
#include "ics/zones.hpp"

namespace cb::ics {
namespace {

using namespace std::chrono;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

// `name` equals `lower` (a lower-case property name of the same length) without case. OR-ing
// 0x20 folds letters and leaves digits and '-' alone; of the bytes it confuses with those,
// only CR (with '-') can be in a name, and a content line holds no CR.
[[gnu::always_inline]] inline bool sameName(std::string_view name, std::string_view lower) {
  // Eight bytes a step, the last step overlapping the one before; names are short.
  auto word = [](const char* p, std::size_t at) {
    std::uint64_t w = 0;
    std::memcpy(&w, p + at, 8);
    return w;
  };
  const std::size_t n = lower.size();
  if (n < 8) {
    if (n < 4) {
      for (std::size_t i = 0; i < n; ++i)
        if (char(name[i] | 0x20) != lower[i]) return false;
      return true;
    }
    auto half = [](const char* p, std::size_t at) {
      std::uint32_t w = 0;
      std::memcpy(&w, p + at, 4);
      return w | 0x20202020u;
    };
    return half(name.data(), 0) == half(lower.data(), 0) &&
           half(name.data(), n - 4) == half(lower.data(), n - 4);
  }
  for (std::size_t i = 0; i + 8 < n; i += 8)
    if ((word(name.data(), i) | 0x2020202020202020u) != word(lower.data(), i)) return false;
  return (word(name.data(), n - 8) | 0x2020202020202020u) == word(lower.data(), n - 8);
}

// `name` is the component or property name `lower` (lower-case letters, digits, '-'),
// in any case.
[[gnu::always_inline]] inline bool isName(std::string_view name, std::string_view lower) {
  return name.size() == lower.size() && sameName(name, lower);
}

// Case-insensitive "line starts with NAME followed by ':' or ';'" for upper-case ASCII names.
bool isProp(std::string_view line, std::string_view name) {
  if (line.size() <= name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = line[i];
    if (c >= 'a' && c <= 'z') c = char(c - 32);
    if (c != name[i]) return false;
  }
  const char c = line[name.size()];
  return c == ':' || c == ';';
}

// How a content line's name compares with a lower-case NAME: Maybe when the line (a first
// physical line) ends inside NAME, i.e. it was folded before its ';' or ':'.
enum class Match : std::uint8_t { No, Yes, Maybe };

[[gnu::always_inline]] inline Match nameIs(std::string_view line, std::string_view lower) {
  if (line.size() > lower.size()) {
    const char t = line[lower.size()];
    return (t == ';' || t == ':') && sameName(line, lower) ? Match::Yes : Match::No;
  }
  return sameName(line, lower.substr(0, line.size())) ? Match::Maybe : Match::No;
}

struct ContentLine {
  std::string_view name;
  std::string_view params;  // from the first ';' up to the value's ':'
  std::string_view value;
  bool hasColon = false;
};

// A content line's name: everything before the first ';' or ':'.
std::string_view propertyName(std::string_view line) {
  return line.substr(0, findNameEnd(line));
}

ContentLine splitLine(std::string_view line) {
  ContentLine cl;
  cl.name = propertyName(line);
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

// RFC 5545 3.3.11 TEXT: \n \N \, \; \\ (anything else after '\' is kept as is).
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

// The date "yyyymmdd" that v starts with, as the number yyyymmdd (which orders as dates
// do), or -1 when it is not a valid date.
int leadingDate(std::string_view v) {
  if (v.size() < 8) return -1;
  const int date = eightDigits(v.data());
  if (date < 0) return -1;
  const int mo = date / 100 % 100, d = date % 100;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return -1;
  if (d > 28 && !year_month_day{year{date / 10000} / mo / d}.ok()) return -1;
  return date;
}

struct RawTime {
  enum Kind : std::uint8_t { Date, Utc, Local } kind = Local;
  LocalSeconds value{};  // Date: midnight; Utc: UTC wall clock
};

// DATE "20250310" or DATE-TIME "20250310T093000[Z]".
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

// An RRULE value without parts that carry no NAME=VALUE (junk such as
// "RRULE:AnythingRandom;FREQ=...") or are extensions (X-...); blanks trimmed.
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

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

enum class Kind : std::uint8_t { Calendar, Event, Timezone, Other };

struct Meta {
  std::uint64_t uidHash = 0;
  bool hasUid = false;
  std::int64_t sequence = 0;
  bool hasSequence = false;
  std::uint32_t order = 0;
};

struct Override {
  Occurrence occ;
  Meta meta;
  Instant rid{};  // instant (DATE-TIME) or midnight UTC of the date (DATE)
  bool ridIsDate = false;
  Date ridLocalDate{};  // the RECURRENCE-ID's date in its own zone
  bool thisAndFuture = false;
  LocalSeconds localStart{};
  const TimeZone* zone = nullptr;
  Span length;
};

}  // namespace

namespace {
// A hash of short strings eight bytes at a time (multiply and fold, as in wyhash's spirit).
std::uint64_t textHash(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15u;
  std::uint64_t h = s.size() * kMul;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  if (i < s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  return h;
}
}  // namespace

std::string_view Arena::intern(std::string_view s) {
  if (s.empty()) return {};
  if (2 * (count_ + 1) > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = textHash(s) & mask;; i = (i + 1) & mask) {
    if (slots_[i].empty()) {
      slots_[i] = store(s);
      ++count_;
      return slots_[i];
    }
    if (slots_[i] == s) return slots_[i];
  }
}

void Arena::grow() {
  std::vector<std::string_view> old(std::max<std::size_t>(64, slots_.size() * 2));
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (std::string_view v : old) {
    if (v.empty()) continue;
    std::size_t i = textHash(v) & mask;
    while (!slots_[i].empty()) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

std::string_view Arena::store(std::string_view s) {
  char* dst = nullptr;
  if (s.size() > kBlock / 4) {
    blocks_.push_back(std::make_unique<char[]>(s.size()));  // a one-off block
    dst = blocks_.back().get();
  } else {
    if (current_ == nullptr || blockUsed_ + s.size() > kBlock) {
      blocks_.push_back(std::make_unique<char[]>(kBlock));
      current_ = blocks_.back().get();
      blockUsed_ = 0;
    }
    dst = current_ + blockUsed_;
    blockUsed_ += s.size();
  }
  std::memcpy(dst, s.data(), s.size());
  used_ += s.size();
  return {dst, s.size()};
}

struct Ingest::State {
  IngestOptions options;
  WarningSink warn;
  EventStore store;
  LineUnfolder unfolder;
  ZoneResolver zones;

  std::vector<Kind> stack;
  std::size_t depthLimitHits = 0;
  bool compActive = false;  // inside a VEVENT directly under VCALENDAR
  bool inEvent = false;     // compActive and the VEVENT is the innermost component (see track())
  bool compOverLimit = false;
  bool compLineTooLong = false;
  std::size_t compBytes = 0;  // unfolded bytes of the VEVENT's lines, read or not
  ByteBuffer comp;            // the VEVENT's lines parseEvent() reads, unfolded, '\n'-terminated
  bool compRecurring = false;
  // The VEVENT's DTSTART/DTEND dates as yyyymmdd, kNoDate when absent, kBadDate when unreadable.
  static constexpr int kNoDate = 0, kBadDate = -1;
  int startDay = kNoDate, endDay = kNoDate;
  int windowFirst = 0, windowLast = 0;  // yyyymmdd bounds of outsideWindow(), slack included
  bool compHasDuration = false;
  bool tzActive = false;
  std::string tzText;
  std::string tzid;
  const TimeZone* xwr = nullptr;

  std::vector<Meta> singleMeta;  // parallel to data.singles
  std::vector<Meta> seriesMeta;  // parallel to data.series
  std::vector<Override> overrides;
  std::vector<std::string> deferred;  // VEVENTs naming a TZID not defined yet
  std::size_t deferredBytes = 0;
  std::uint32_t order = 0;
  std::string text1, text2, text3;  // scratch for unescaping

  explicit State(IngestOptions o, WarningSink w)
      : options(std::move(o)), warn(std::move(w)), unfolder(options.limits.maxLineBytes) {
    store.data_->display = options.displayZone;
    store.data_->maxOccurrencesPerSeries = options.limits.maxOccurrencesPerSeries;
    if (options.now) {
      const Date today{floor<days>(*options.now)};
      windowFirst = yyyymmdd(today - days{3});
      windowLast = yyyymmdd(today + options.horizon + days{2});
    }
  }

  EventStore::Data& data() { return *store.data_; }
  IngestStats& stats() { return store.data_->stats; }

  void warning(std::string_view msg) {
    if (warn) warn(msg);
  }

  void skip(std::string_view why) {
    ++stats().skipped;
    warning(why);
  }

  // ---- component assembly -------------------------------------------------------------

  // What keep() found a line to be; line() acts on it without reading the name again.
  enum class LineKind : std::uint8_t {
    None,  // not a line anybody reads
    Begin,
    End,
    Plain,  // any other kept line outside a VEVENT
    // VEVENT properties parseEvent() reads: those append() notes, and the rest (Read)
    Dtstart,
    Dtend,
    Duration,
    Recur,
    Attendee,  // read only when it names the owner
    Read,
    Uncertain,  // a VEVENT line folded inside its name: decided on the whole line
  };
  LineKind lineKind = LineKind::Plain;

  // The VEVENT properties parseEvent() reads, by their first line (an ATTENDEE only when
  // there are owner addresses to look for); None for any other.
  [[gnu::always_inline]] LineKind eventLine(std::string_view first) const {
    bool maybe = false;
    auto is = [&](std::string_view lower) __attribute__((always_inline)) {
      const Match m = nameIs(first, lower);
      maybe = maybe || m == Match::Maybe;
      return m == Match::Yes;
    };
    switch (first[0] | 0x20) {
      case 'a':
        if (!options.ownerEmails.empty() && is("attendee")) return LineKind::Attendee;
        break;
      case 'c':
        if (is("class")) return LineKind::Read;
        break;
      case 'd':
        if (is("dtstart")) return LineKind::Dtstart;
        if (is("dtend")) return LineKind::Dtend;
        if (is("duration")) return LineKind::Duration;
        break;
      case 'e':
        if (is("exdate")) return LineKind::Read;
        break;
      case 'l':
        if (is("location")) return LineKind::Read;
        break;
      case 'r':
        if (is("rrule") || is("rdate") || is("recurrence-id")) return LineKind::Recur;
        break;
      case 's':
        if (is("summary") || is("status") || is("sequence")) return LineKind::Read;
        break;
      case 't':
        if (is("transp")) return LineKind::Read;
        break;
      case 'u':
        if (is("uid")) return LineKind::Read;
        break;
      case 'x':
        if (is("x-microsoft-cdo-busystatus")) return LineKind::Read;
        break;
      default:
        break;
    }
    return maybe ? LineKind::Uncertain : LineKind::None;
  }

  // LineUnfolder's sink. keep() sees the first physical line of each content line and
  // drops what no later stage reads, so most of a feed is never copied.
  using Verdict = LineUnfolder::Verdict;
  [[gnu::always_inline]] Verdict keep(std::string_view first) {
    const char c0 = char(first[0] & ~0x20);
    if (c0 == 'B' && nameIs(first, "begin") == Match::Yes) {
      lineKind = LineKind::Begin;
      return Verdict::Keep;
    }
    if (c0 == 'E' && nameIs(first, "end") == Match::Yes) {
      lineKind = LineKind::End;
      return Verdict::Keep;
    }
    if (inEvent) {
      if (compOverLimit) return Verdict::Skip;
      lineKind = eventLine(first);
      if (lineKind == LineKind::None) return Verdict::Skip;
      return lineKind == LineKind::Attendee ? Verdict::AskLast : Verdict::Keep;
    }
    lineKind = LineKind::Plain;
    if (stack.empty()) return Verdict::Skip;
    switch (stack.back()) {
      case Kind::Event:
        return Verdict::Skip;
      case Kind::Timezone:
      case Kind::Other:
        return tzActive ? Verdict::Keep : Verdict::Skip;
      case Kind::Calendar:
        return c0 == 'X' && isProp(first, "X-WR-TIMEZONE") ? Verdict::Keep : Verdict::Skip;
    }
    return Verdict::Skip;
  }

  // An ATTENDEE by its last physical line: false only when it surely names somebody else
  // (a line too long to read is kept, so that its event is skipped however it was chunked).
  [[gnu::always_inline]] bool last(std::string_view piece, std::size_t bytes) const {
    if (bytes > options.limits.maxLineBytes) return true;
    for (const std::string& owner : options.ownerEmails)
      if (piece.size() <= owner.size()) return true;  // the address may begin on an earlier line
    return endsWithOwner(piece);
  }

  [[gnu::always_inline]] void skipped(std::size_t bytes) {
    if (bytes > options.limits.maxLineBytes) ++stats().longLines;
    if (inEvent) countComp(bytes);
  }

  [[gnu::always_inline]] void line(std::string_view l, std::size_t bytes) {
    if (lineKind >= LineKind::Dtstart) {  // keep() saw it inside a VEVENT
      append(l, bytes);
      return;
    }
    otherLine(l, bytes);
  }

  // The component stack changed: what keep() and skipped() consult on every line.
  void track() { inEvent = compActive && !stack.empty() && stack.back() == Kind::Event; }

  [[gnu::noinline]] void otherLine(std::string_view l, std::size_t bytes) {
    if (bytes > l.size()) ++stats().longLines;
    const char c0 = char(l[0] & ~0x20);
    if (lineKind == LineKind::Begin) {
      begin(componentName(l, 5));
      track();
      return;
    }
    if (lineKind == LineKind::End) {
      end(componentName(l, 3));
      track();
      return;
    }
    if (stack.empty()) return;
    switch (stack.back()) {
      case Kind::Event:
        return;
      case Kind::Timezone:
        if (tzActive) {
          if (c0 == 'T' && isProp(l, "TZID") && stack.size() >= 2 &&
              stack[stack.size() - 2] == Kind::Calendar)
            tzid = std::string(splitLine(l).value);
          appendTz(l);
        }
        return;
      case Kind::Calendar:
        if (c0 == 'X' && isProp(l, "X-WR-TIMEZONE")) {
          const std::string_view name = splitLine(l).value;
          xwr = zones.resolve(name);
          if (xwr == nullptr) warning(fmt::format("unknown X-WR-TIMEZONE \"{}\" ignored", name));
        }
        return;
      case Kind::Other:
        if (tzActive) appendTz(l);
        return;
    }
  }

  void begin(std::string_view name) {
    if (stack.size() >= 32) {  // nesting bomb: ignore what is inside
      stack.push_back(Kind::Other);
      return;
    }
    if (isName(name, "vcalendar")) {
      if (stack.empty()) {
        stats().sawCalendar = true;
        xwr = nullptr;
        stack.push_back(Kind::Calendar);
      } else {
        stack.push_back(Kind::Other);
      }
      return;
    }
    const bool underCalendar = !stack.empty() && stack.back() == Kind::Calendar;
    if (isName(name, "vevent") && underCalendar) {
      stack.push_back(Kind::Event);
      compActive = true;
      compOverLimit = compLineTooLong = compRecurring = compHasDuration = false;
      compBytes = 0;
      startDay = endDay = kNoDate;
      comp.clear();
      return;
    }
    if (isName(name, "vtimezone") && underCalendar) {
      stack.push_back(Kind::Timezone);
      tzActive = true;
      tzText.assign("BEGIN:VTIMEZONE\n");
      tzid.clear();
      return;
    }
    if (tzActive) appendTz(fmt::format("BEGIN:{}", name));
    stack.push_back(Kind::Other);  // VALARM, VTODO, VJOURNAL, VFREEBUSY, STANDARD, ...
  }

  void end(std::string_view name) {
    if (stack.empty()) return;
    const Kind want = isName(name, "vevent")      ? Kind::Event
                      : isName(name, "vtimezone") ? Kind::Timezone
                      : isName(name, "vcalendar") ? Kind::Calendar
                                                  : Kind::Other;
    if (stack.back() != want) {
      if (want == Kind::Other || std::find(stack.begin(), stack.end(), want) == stack.end()) {
        if (stack.back() == Kind::Other) close(Kind::Other, name);  // END:VALARM and the like
        return;                                                     // a stray END
      }
      // END of an outer component: whatever is still open inside it ends here.
      while (stack.back() != want) {
        if (stack.back() == Kind::Event && compActive) {
          compActive = false;
          skip("VEVENT without END:VEVENT skipped");
        }
        if (stack.back() == Kind::Timezone) tzActive = false;
        stack.pop_back();
      }
    }
    close(want, name);
  }

  void close(Kind kind, std::string_view name) {
    stack.pop_back();
    switch (kind) {
      case Kind::Event:
        if (compActive) finishEvent();
        compActive = false;
        return;
      case Kind::Timezone:
        tzText += "END:VTIMEZONE\n";
        if (tzActive && !tzid.empty() && tzText.size() <= options.limits.maxComponentBytes)
          zones.define(tzid, std::move(tzText));
        tzActive = false;
        tzText = std::string();
        return;
      case Kind::Calendar:
        return;
      case Kind::Other:
        if (tzActive) appendTz(fmt::format("END:{}", name));
        return;
    }
  }

  void appendTz(std::string_view l) {
    if (tzText.size() + l.size() + 1 > options.limits.maxComponentBytes) {
      tzActive = false;  // too big: dropped at END:VTIMEZONE
      warning(
          fmt::format("VTIMEZONE larger than {} bytes ignored", options.limits.maxComponentBytes));
      return;
    }
    tzText.append(l);
    tzText += '\n';
  }

  // The component limit counts every line of the VEVENT, read or not.
  void countComp(std::size_t bytes) {
    compBytes += bytes + 1;
    if (compBytes > options.limits.maxComponentBytes) compOverLimit = true;
  }

  // BEGIN:NAME or END:NAME (`at` is the length of BEGIN or END): the name, without
  // splitting the line when it has no parameters.
  static std::string_view componentName(std::string_view l, std::size_t at) {
    if (l.size() > at && l[at] == ':') return l.substr(at + 1);
    return splitLine(l).value;
  }

  // A line of the VEVENT that parseEvent() may read, into `comp`.
  void append(std::string_view l, std::size_t bytes) {
    const bool tooLong = bytes > l.size();
    if (tooLong) ++stats().longLines;
    countComp(bytes);
    if (compOverLimit) return;
    LineKind kind = lineKind;
    if (kind == LineKind::Uncertain) {  // the whole name is here now
      kind = eventLine(l);
      if (kind == LineKind::None || kind == LineKind::Uncertain) return;
    }
    if (tooLong) {  // a line we read, cut: the event cannot be read faithfully
      compLineTooLong = true;
      return;
    }
    if (kind == LineKind::Attendee && !endsWithOwner(l)) return;  // most are somebody else
    switch (kind) {
      case LineKind::Dtstart:
        startDay = quickDate(l);
        break;
      case LineKind::Dtend:
        endDay = quickDate(l);
        break;
      case LineKind::Duration:
        compHasDuration = true;
        break;
      case LineKind::Recur:
        compRecurring = true;
        break;
      default:
        break;
    }
    comp.appendLine(l);
  }

  // ---- cheap pre-filter ---------------------------------------------------------------

  static int yyyymmdd(Date d) {
    const year_month_day ymd{d};
    return int(ymd.year()) * 10000 + int(unsigned(ymd.month())) * 100 + int(unsigned(ymd.day()));
  }

  // The date of a DTSTART/DTEND line as yyyymmdd (which orders as dates do), if it reads
  // as one; kBadDate otherwise.
  static int quickDate(std::string_view l) {
    const void* colon = memrchr(l.data(), ':', l.size());
    if (colon == nullptr) return kBadDate;
    const std::string_view v =
        l.substr(std::size_t(static_cast<const char*>(colon) - l.data()) + 1);
    const int date = leadingDate(v);
    return date < 0 ? kBadDate : date;
  }

  // True when a non-recurring VEVENT is surely outside [now - 1 day, now + horizon]:
  // decided on dates alone with two days of slack for any zone, before any real parsing.
  bool outsideWindow() const {
    if (!options.now || compRecurring || compHasDuration) return false;
    if (startDay <= kNoDate) return false;
    const int end = endDay == kNoDate ? startDay : endDay;
    if (end == kBadDate || end < startDay) return false;  // let the full parse report it
    return end < windowFirst || startDay > windowLast;
  }

  void finishEvent() {
    if (compOverLimit) {
      skip(fmt::format("VEVENT larger than {} bytes skipped", options.limits.maxComponentBytes));
      return;
    }
    if (compLineTooLong) {
      skip(fmt::format("VEVENT with a line longer than {} bytes skipped",
                       options.limits.maxLineBytes));
      return;
    }
    if (outsideWindow()) {
      ++stats().dropped;
      return;
    }
    parseEvent(comp.view(), false);
  }

  // ---- VEVENT parsing -----------------------------------------------------------------

  struct TimeProp {
    RawTime raw;
    std::string_view tzid;
    bool present = false;
  };

  // One of the owner's addresses (owner_emails, compared without case)?
  bool isOwner(std::string_view addr) const {
    return std::any_of(options.ownerEmails.begin(), options.ownerEmails.end(),
                       [&](const std::string& owner) { return iequals(addr, owner); });
  }

  // The address after the line's last ':' (an owner's has none) is one of the owner's.
  // A plain loop: it runs on every ATTENDEE line, and the ':' test rejects nearly all.
  bool endsWithOwner(std::string_view l) const {
    for (const std::string& owner : options.ownerEmails) {
      const std::size_t n = owner.size();
      if (l.size() > n && l[l.size() - n - 1] == ':' && iequals(l.substr(l.size() - n), owner))
        return true;
    }
    return false;
  }

  // `final` is set for the second attempt at finish(), when every VTIMEZONE is known.
  void parseEvent(std::string_view text, bool final) {
    if (singleMeta.size() + seriesMeta.size() + overrides.size() >=
        options.limits.maxEventsPerFeed) {
      skip(fmt::format("more than {} events in the feed: VEVENT skipped",
                       options.limits.maxEventsPerFeed));
      return;
    }
    const TimeZone& display = *options.displayZone;
    Occurrence o;
    o.source = options.source;
    TimeProp start, end, rid;
    std::optional<Span> duration;
    std::string_view uid, summary, location, statusText, rridRange;
    std::string rrules;
    std::vector<std::pair<ContentLine, bool>> lists;  // RDATE (true) / EXDATE (false)
    Meta meta;
    bool busyFromMs = false;

    auto timeProp = [&](const ContentLine& cl, TimeProp& out, std::string_view what) {
      if (out.present) {
        // A second DTSTART (or DTEND...) makes the event ambiguous.
        skip(fmt::format("VEVENT with two {} lines skipped", what));
        return false;
      }
      // The value's own form decides (VALUE=DATE on a DATE-TIME is a common slip).
      const std::optional<RawTime> t = parseRawTime(cl.value);
      if (!t) {
        skip(fmt::format("VEVENT with unreadable {} \"{}\" skipped", what, cl.value));
        return false;
      }
      out.raw = *t;
      out.tzid = param(cl.params, "TZID");
      out.present = true;
      return true;
    };

    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      const std::string_view l = text.substr(pos, nl - pos);
      pos = nl + 1;
      // Only lines eventLine() accepts reach `comp` (see keep() and append());
      // the switch below reads exactly those, keep the two in step.
      const ContentLine cl = splitLine(l);
      const std::string_view n = cl.name;
      if (n.empty()) continue;
      switch (n[0] & ~0x20) {
        case 'A':
          if (isName(n, "attendee")) {
            std::string_view addr = cl.value;
            if (addr.size() > 7 && iequals(addr.substr(0, 7), "mailto:")) addr.remove_prefix(7);
            if (isOwner(addr)) o.response = parsePartstat(param(cl.params, "PARTSTAT"));
          }
          break;
        case 'C':
          if (isName(n, "class")) {
            if (iequals(cl.value, "PRIVATE"))
              o.privacy = Privacy::Private;
            else if (iequals(cl.value, "CONFIDENTIAL"))
              o.privacy = Privacy::Confidential;
          }
          break;
        case 'D':
          if (isName(n, "dtstart")) {
            if (!timeProp(cl, start, "DTSTART")) return;
          } else if (isName(n, "dtend")) {
            if (!timeProp(cl, end, "DTEND")) return;
          } else if (isName(n, "duration")) {
            duration = parseDuration(cl.value);
            if (!duration) {
              skip(fmt::format("VEVENT with unreadable DURATION \"{}\" skipped", cl.value));
              return;
            }
          }
          break;
        case 'E':
          if (isName(n, "exdate")) lists.emplace_back(cl, false);
          break;
        case 'L':
          if (isName(n, "location")) location = cl.value;
          break;
        case 'R':
          if (isName(n, "rrule")) {
            std::string rule = cleanRrule(cl.value);
            if (rule.empty()) {
              warning(fmt::format("empty RRULE ignored (UID {})", uid));
              break;
            }
            if (!validRrule(rule)) {
              // Keep the event: DTSTART is still an instance.
              warning(fmt::format("unreadable RRULE \"{}\" ignored", cl.value));
              break;
            }
            // The same rule twice is one rule; distinct rules (RFC 2445) are a union.
            bool dup = false;
            std::string_view have = rrules;
            while (!have.empty()) {
              std::size_t e = have.find('\n');
              if (e == std::string_view::npos) e = have.size();
              dup = dup || have.substr(0, e) == rule;
              have.remove_prefix(std::min(have.size(), e + 1));
            }
            if (!dup) {
              if (!rrules.empty()) rrules += '\n';
              rrules.append(rule);
            }
          } else if (isName(n, "rdate")) {
            lists.emplace_back(cl, true);
          } else if (isName(n, "recurrence-id")) {
            if (!timeProp(cl, rid, "RECURRENCE-ID")) return;
            rridRange = param(cl.params, "RANGE");
          }
          break;
        case 'S':
          if (isName(n, "summary")) {
            summary = cl.value;
          } else if (isName(n, "status")) {
            statusText = cl.value;
            o.status = parseStatus(cl.value);
          } else if (isName(n, "sequence")) {
            std::int64_t seq = 0;
            auto [p, ec] = std::from_chars(cl.value.data(), cl.value.data() + cl.value.size(), seq);
            if (ec == std::errc{}) {
              meta.sequence = seq;
              meta.hasSequence = true;
            }
          }
          break;
        case 'T':
          if (isName(n, "transp") && !busyFromMs)
            o.busy = iequals(cl.value, "TRANSPARENT") ? BusyStatus::Free : BusyStatus::Busy;
          break;
        case 'U':
          if (isName(n, "uid")) uid = cl.value;
          break;
        case 'X':
          if (isName(n, "x-microsoft-cdo-busystatus")) {
            busyFromMs = true;
            if (iequals(cl.value, "FREE"))
              o.busy = BusyStatus::Free;
            else if (iequals(cl.value, "TENTATIVE"))
              o.busy = BusyStatus::Tentative;
            else if (iequals(cl.value, "OOF") || iequals(cl.value, "WORKINGELSEWHERE"))
              o.busy = BusyStatus::OutOfOffice;
            else
              o.busy = BusyStatus::Busy;
          }
          break;
        default:
          break;
      }
    }
    if (!start.present) {
      skip(fmt::format("VEVENT \"{}\" without DTSTART skipped", summary));
      return;
    }

    // Zones. A TZID defined by a VTIMEZONE later in the stream: retry at finish().
    bool unresolved = false;
    auto zoneOf = [&](const TimeProp& t, bool recurring) -> const TimeZone* {
      if (t.raw.kind == RawTime::Utc) return (recurring && xwr) ? xwr : &TimeZone::utc();
      if (!t.tzid.empty()) {
        if (const TimeZone* z = zones.resolve(t.tzid)) return z;
        unresolved = true;
      }
      return xwr ? xwr : &display;
    };
    const bool recurring = !rrules.empty() || std::any_of(lists.begin(), lists.end(),
                                                          [](auto& p) { return p.second; });
    const TimeZone* zone = zoneOf(start, recurring && !rid.present);
    if (unresolved && !final) {
      if (deferredBytes + text.size() <= 16 * options.limits.maxComponentBytes) {
        deferredBytes += text.size();
        deferred.emplace_back(text);
        return;
      }
    }
    if (unresolved) warning(fmt::format("unknown TZID \"{}\": taken as floating time", start.tzid));

    // All-day means a DATE DTSTART; with a DATE-TIME DTEND the event is taken as
    // timed from midnight (what the reference does; RFC 5545 3.8.2.2 wants equal types).
    const bool allDay =
        start.raw.kind == RawTime::Date && !(end.present && end.raw.kind != RawTime::Date);
    // The wall clock in `zone` of a time property.
    auto localIn = [&](const TimeProp& t, const TimeZone& z) -> LocalSeconds {
      if (t.raw.kind == RawTime::Utc) return z.toLocal(Instant{t.raw.value.time_since_epoch()});
      return t.raw.value;
    };
    auto instantOf = [&](const TimeProp& t) -> Instant {
      if (t.raw.kind == RawTime::Utc) return Instant{t.raw.value.time_since_epoch()};
      bool ignored = false;
      std::swap(ignored, unresolved);
      const TimeZone* z = zoneOf(t, false);
      std::swap(ignored, unresolved);
      return z->toInstant(t.raw.value);
    };
    const LocalSeconds localStart = localIn(start, *zone);

    // Length: DTEND, DURATION or the RFC 5545 3.6.1 defaults (one day / zero).
    Span length;
    if (allDay) {
      if (end.present && end.raw.kind == RawTime::Date) {
        length.days =
            std::int32_t((floor<days>(end.raw.value) - floor<days>(start.raw.value)).count());
      } else if (duration) {
        length.days = duration->days + std::int32_t(floor<days>(duration->exact).count());
      } else {
        length.days = 1;
      }
    } else if (end.present) {
      const Instant e =
          end.raw.kind == RawTime::Date ? zone->toInstant(end.raw.value) : instantOf(end);
      length.exact = duration_cast<seconds>(e - zone->toInstant(localStart));
    } else if (duration) {
      length = *duration;
    }
    if (length.days < 0 || length.exact.count() < 0) {
      skip(fmt::format("VEVENT \"{}\" ends before it starts: skipped", summary));
      return;
    }

    // Text, interned.
    Arena& arena = data().arena;
    const std::size_t limit = options.limits.maxTextBytes;
    unescapeText(summary, text1, limit);
    o.summary = arena.intern(text1);
    unescapeText(location, text2, limit);
    o.location = arena.intern(text2);
    o.statusText = arena.intern(statusText);
    unescapeText(uid, text3, 4096);
    meta.uidHash = fnv1a(text3);
    meta.hasUid = !uid.empty();
    meta.order = order++;
    o.uidHash = meta.uidHash;
    if (options.keepUids) o.uid = arena.intern(text3);

    const Instant startInstant = zone->toInstant(localStart);
    auto endInstant = [&](LocalSeconds local, Instant s) {
      if (length.days == 0) return s + length.exact;
      return zone->toInstant(local + days{length.days}) + length.exact;
    };

    if (rid.present) {
      Override ov;
      ov.occ = o;
      ov.meta = meta;
      ov.occ.fromOverride = true;
      ov.ridIsDate = rid.raw.kind == RawTime::Date;
      ov.thisAndFuture = iequals(rridRange, "THISANDFUTURE");
      if (ov.ridIsDate) {
        ov.rid = Instant{floor<days>(rid.raw.value).time_since_epoch()};
        ov.ridLocalDate = Date{floor<days>(rid.raw.value).time_since_epoch()};
      } else {
        ov.rid = instantOf(rid);
        const TimeZone* rz = rid.raw.kind == RawTime::Utc ? zone : zoneOf(rid, false);
        ov.ridLocalDate = Date{floor<days>(rz->toLocal(ov.rid)).time_since_epoch()};
      }
      ov.occ.recurrenceId = ov.rid;
      ov.occ.recurrenceIdIsDate = ov.ridIsDate;
      ov.localStart = localStart;
      ov.zone = zone;
      ov.length = length;
      fillSingle(ov.occ, allDay, localStart, startInstant, endInstant(localStart, startInstant),
                 length);
      overrides.push_back(std::move(ov));
      return;
    }

    if (!recurring) {
      Occurrence single = o;
      fillSingle(single, allDay, localStart, startInstant, endInstant(localStart, startInstant),
                 length);
      if (options.now &&
          (single.end < *options.now - days{1} || single.start > *options.now + options.horizon)) {
        ++stats().dropped;
        return;
      }
      data().singles.push_back(single);
      singleMeta.push_back(meta);
      return;
    }

    Series s;
    s.proto = o;
    s.zone = zone;
    s.floating = start.raw.kind == RawTime::Local && (start.tzid.empty() || unresolved);
    s.allDay = allDay;
    s.dtstart = allDay ? LocalSeconds{floor<days>(start.raw.value)} : localStart;
    s.length = length;
    s.rrules = arena.intern(rrules);
    for (const auto& [cl, isRdate] : lists) {
      if (!addDates(s, cl, isRdate, display)) return;
    }
    std::sort(s.exclude.begin(), s.exclude.end());
    data().series.push_back(std::move(s));
    seriesMeta.push_back(meta);
  }

  void fillSingle(Occurrence& o, bool allDay, LocalSeconds localStart, Instant start, Instant end,
                  const Span& length) {
    const TimeZone& display = *options.displayZone;
    o.allDay = allDay;
    if (allDay) {
      o.startDate = Date{floor<days>(localStart).time_since_epoch()};
      o.endDate = o.startDate + days{length.days};
      o.start = display.startOfDay(o.startDate);
      o.end = display.startOfDay(o.endDate);
    } else {
      o.start = start;
      o.end = end;
    }
  }

  // RDATE / EXDATE value lists (comma-separated; DATE, DATE-TIME or PERIOD).
  bool addDates(Series& s, const ContentLine& cl, bool isRdate, const TimeZone& display) {
    const std::string_view listZone = param(cl.params, "TZID");
    const TimeZone* z = nullptr;
    if (!listZone.empty()) z = zones.resolve(listZone);
    if (z == nullptr) z = xwr ? xwr : &display;
    const bool period = iequals(param(cl.params, "VALUE"), "PERIOD");
    std::string_view rest = cl.value;
    if (rest.empty()) {
      skip(fmt::format("VEVENT with an empty {} skipped", isRdate ? "RDATE" : "EXDATE"));
      return false;
    }
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      if (comma == std::string_view::npos) comma = rest.size();
      std::string_view v = rest.substr(0, comma);
      rest.remove_prefix(std::min(rest.size(), comma + 1));
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      std::string_view periodEnd;
      if (const std::size_t slash = v.find('/'); slash != std::string_view::npos) {
        periodEnd = v.substr(slash + 1);
        v = v.substr(0, slash);
      } else if (period) {
        skip(fmt::format("VEVENT with a bad PERIOD \"{}\" skipped", cl.value));
        return false;
      }
      const std::optional<RawTime> t = parseRawTime(v);
      if (!t) {
        skip(fmt::format("VEVENT with unreadable {} \"{}\" skipped", isRdate ? "RDATE" : "EXDATE",
                         cl.value));
        return false;
      }
      Instant key;
      if (t->kind == RawTime::Date) {
        if (!s.allDay && !isRdate) {
          s.excludeDays.push_back(Date{floor<days>(t->value).time_since_epoch()});
          continue;
        }
        key = s.allDay ? Instant{floor<days>(t->value).time_since_epoch()}
                       : s.zone->toInstant(t->value);
      } else {
        const Instant at =
            t->kind == RawTime::Utc ? Instant{t->value.time_since_epoch()} : z->toInstant(t->value);
        // A DATE-TIME on an all-day series names the day in the series' terms.
        key = s.allDay
                  ? Instant{floor<days>(t->kind == RawTime::Utc ? display.toLocal(at) : t->value)
                                .time_since_epoch()}
                  : at;
      }
      if (!isRdate) {
        s.exclude.push_back(key);
        continue;
      }
      RDate r;
      r.key = key;
      if (!periodEnd.empty() && !s.allDay) {
        if (std::optional<RawTime> e = parseRawTime(periodEnd)) {
          r.hasEnd = true;
          r.end = e->kind == RawTime::Utc ? Instant{e->value.time_since_epoch()}
                                          : z->toInstant(e->value);
        } else if (std::optional<Span> d = parseDuration(periodEnd)) {
          r.hasEnd = true;
          r.end = key + d->exact + days{d->days};
        } else {
          skip(fmt::format("VEVENT with a bad PERIOD \"{}\" skipped", cl.value));
          return false;
        }
        if (r.end < r.key) {
          skip(fmt::format("VEVENT with a PERIOD ending before it starts skipped"));
          return false;
        }
      }
      s.rdates.push_back(r);
    }
    return true;
  }

  // ---- finish: duplicates, overrides ---------------------------------------------------

  void resolve() {
    // VEVENTs that named a VTIMEZONE defined further down.
    std::vector<std::string> later;
    later.swap(deferred);
    for (const std::string& text : later) parseEvent(text, true);

    EventStore::Data& d = data();
    dedupe(d.series, seriesMeta);
    dedupe(d.singles, singleMeta);
    dedupeOverrides();

    // Overrides in RECURRENCE-ID order: THISANDFUTURE splits first, so that a plain
    // override is matched in the segment of the series that holds its instance.
    std::stable_sort(overrides.begin(), overrides.end(),
                     [](const Override& a, const Override& b) { return a.rid < b.rid; });
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> segments;
    for (std::size_t i = 0; i < d.series.size(); ++i)
      if (seriesMeta[i].hasUid) segments[seriesMeta[i].uidHash].push_back(i);
    auto segmentOf = [&](const Override& ov) -> Series* {
      auto it = ov.meta.hasUid ? segments.find(ov.meta.uidHash) : segments.end();
      if (it == segments.end()) return nullptr;
      for (std::size_t i : it->second) {
        Series& seg = d.series[i];
        const Instant k = ridKey(seg, ov) + seg.shift;
        if (k + seconds{1} >= seg.notBefore && k < seg.notAfter) return &seg;
      }
      return &d.series[it->second.front()];
    };
    for (const Override& ov : overrides) {
      if (!ov.thisAndFuture) continue;
      if (Series* seg = segmentOf(ov)) {
        Series tail = splitSeries(*seg, ov);
        segments[ov.meta.uidHash].push_back(d.series.size());
        d.series.push_back(std::move(tail));
      }
    }
    std::vector<Instant> keys;
    // With a window, an instance the override replaces far outside it is never shown:
    // finding it (libical iterates from DTSTART) is the costliest step of an ingest.
    auto replacedMatters = [&](Instant key) {
      return !options.now ||
             (key + days{3} >= *options.now && key <= *options.now + options.horizon + days{3});
    };
    for (const Override& ov : overrides) {
      if (Series* seg = ov.thisAndFuture ? nullptr : segmentOf(ov);
          seg != nullptr && replacedMatters(ridKey(*seg, ov) + seg->shift)) {
        if (std::optional<Instant> key = matchInstance(*seg, ov, keys))
          seg->exclude.insert(std::upper_bound(seg->exclude.begin(), seg->exclude.end(), *key),
                              *key);
      }
      if (options.now &&
          (ov.occ.end < *options.now - days{1} || ov.occ.start > *options.now + options.horizon)) {
        ++stats().dropped;
        continue;
      }
      d.singles.push_back(ov.occ);
    }
    stats().events = d.singles.size() + d.series.size();
    d.zones = zones.owned();
    for (const auto& z : d.zones) d.zoneTexts.emplace_back(z->name(), zones.definition(z->name()));
  }

  // An override's RECURRENCE-ID as an instance key of `s` (before any split shift).
  static Instant ridKey(const Series& s, const Override& ov) {
    return s.allDay ? dayKey(ov.ridLocalDate) : ov.rid;
  }

  // The instance an override replaces: exactly its RECURRENCE-ID, else the one
  // instance on that date (calendars write DATE-TIME ids for all-day series and
  // vice versa); none: the override is an extra occurrence.
  std::optional<Instant> matchInstance(const Series& s, const Override& ov,
                                       std::vector<Instant>& keys) {
    const TimeZone& display = *options.displayZone;
    const Instant exact = ridKey(s, ov) + s.shift;
    keys.clear();
    seriesKeys(s, display, exact - days{2}, exact + days{2}, keys);
    if (std::find(keys.begin(), keys.end(), exact) != keys.end()) return exact;
    for (Instant k : keys) {
      const Instant original = k - s.shift;
      const Date day = s.allDay ? floor<days>(original)
                                : Date{floor<days>(s.zone->toLocal(original)).time_since_epoch()};
      if (day == ov.ridLocalDate) return k;
    }
    return std::nullopt;
  }

  // RANGE=THISANDFUTURE (RFC 5545 3.8.4.4): the instances from the RECURRENCE-ID on
  // move with the override and take its text and length. `seg` keeps the earlier
  // ones; the returned tail holds the later ones (the override itself is the first).
  Series splitSeries(Series& seg, const Override& ov) {
    Series tail = seg;
    tail.proto = ov.occ;
    tail.proto.fromOverride = false;
    tail.proto.recurrenceIdIsDate = false;
    tail.proto.recurrenceId = {};
    const Instant at = ridKey(seg, ov) + seg.shift;  // where the instance is in `seg`
    const Instant to =
        seg.allDay ? dayKey(Date{floor<days>(ov.localStart).time_since_epoch()}) : ov.occ.start;
    const seconds delta = duration_cast<seconds>(to - at);
    tail.dtstart = seg.dtstart + delta;
    tail.shift = seg.shift + delta;
    tail.length = ov.length;
    tail.notBefore = to + seconds{1};  // the override is that instance
    tail.notAfter = seg.notAfter == Instant::max() ? Instant::max() : seg.notAfter + delta;
    for (Instant& k : tail.exclude) k += delta;
    tail.rdates.clear();  // explicit dates stay where they were written
    seg.notAfter = at;
    return tail;
  }

  static bool sameStart(const Occurrence& a, const Occurrence& b) {
    return a.start == b.start && a.end == b.end && a.summary == b.summary;
  }
  static bool sameStart(const Series& a, const Series& b) {
    return a.dtstart == b.dtstart && a.rrules == b.rrules && a.proto.summary == b.proto.summary;
  }

  // Components with the same UID (and no RECURRENCE-ID) are revisions: the highest
  // SEQUENCE (absent = 0, RFC 5545 3.8.7.4) wins. Revisions with equal SEQUENCE are
  // kept, unless they are the same event again (time and summary: the later wins).
  template <class T>
  void dedupe(std::vector<T>& items, std::vector<Meta>& metas) {
    // Groups by UID as runs of a sorted list: one allocation, not one per UID.
    std::vector<std::pair<std::uint64_t, std::size_t>> byUid;
    byUid.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i)
      if (metas[i].hasUid) byUid.emplace_back(metas[i].uidHash, i);
    std::sort(byUid.begin(), byUid.end());
    bool any = false;
    for (std::size_t k = 1; k < byUid.size() && !any; ++k)
      any = byUid[k].first == byUid[k - 1].first;
    if (!any) return;
    std::vector<bool> drop(items.size(), false);
    std::vector<std::size_t> group;
    for (std::size_t k = 0; k < byUid.size();) {
      std::size_t run = k + 1;
      while (run < byUid.size() && byUid[run].first == byUid[k].first) ++run;
      group.clear();
      for (; k < run; ++k) group.push_back(byUid[k].second);
      if (group.size() < 2) continue;
      std::int64_t top = metas[group.front()].sequence;
      for (std::size_t i : group) top = std::max(top, metas[i].sequence);
      for (std::size_t a = 0; a < group.size(); ++a) {
        const std::size_t i = group[a];
        if (metas[i].sequence < top) {
          drop[i] = true;
          continue;
        }
        for (std::size_t b = a + 1; b < group.size(); ++b) {
          const std::size_t j = group[b];
          if (metas[j].sequence == top && sameStart(items[i], items[j])) {
            drop[i] = true;
            break;
          }
        }
      }
    }
    std::size_t out = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (drop[i]) continue;
      if (out != i) {
        items[out] = std::move(items[i]);
        metas[out] = metas[i];
      }
      ++out;
    }
    stats().duplicates += items.size() - out;
    items.resize(out);
    metas.resize(out);
  }

  void dedupeOverrides() {
    std::map<std::pair<std::uint64_t, Instant>, std::size_t> best;
    std::vector<bool> drop(overrides.size(), false);
    for (std::size_t i = 0; i < overrides.size(); ++i) {
      const Override& ov = overrides[i];
      if (!ov.meta.hasUid) continue;
      auto [it, inserted] = best.emplace(std::pair{ov.meta.uidHash, ov.rid}, i);
      if (inserted) continue;
      if (ov.meta.sequence >= overrides[it->second].meta.sequence) {
        drop[it->second] = true;
        it->second = i;
      } else {
        drop[i] = true;
      }
    }
    std::size_t out = 0;
    for (std::size_t i = 0; i < overrides.size(); ++i)
      if (!drop[i]) overrides[out++] = std::move(overrides[i]);
    stats().duplicates += overrides.size() - out;
    overrides.resize(out);
  }
};

Ingest::Ingest(IngestOptions options, WarningSink warn)
    : state_(std::make_unique<State>(std::move(options), std::move(warn))) {}

Ingest::~Ingest() = default;

void Ingest::feed(std::string_view bytes) {
  State& s = *state_;
  s.stats().bytes += bytes.size();
  s.unfolder.feed(bytes, s);
}

EventStore Ingest::finish() {
  State& s = *state_;
  s.unfolder.finish(s);
  if (s.compActive) {
    s.compActive = false;
    s.track();
    s.skip("VEVENT cut off by the end of the stream skipped");
  }
  s.resolve();
  return std::move(s.store);
}

LoadResult loadFile(const std::filesystem::path& path, const IngestOptions& options,
                    WarningSink warn) {
  LoadResult result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = fmt::format("cannot open {}", path.string());
    return result;
  }
  Ingest ingest(options, std::move(warn));
  std::string buffer(256 * 1024, '\0');
  while (in) {
    in.read(buffer.data(), std::streamsize(buffer.size()));
    if (in.gcount() > 0) ingest.feed(std::string_view(buffer.data(), std::size_t(in.gcount())));
  }
  if (in.bad()) {
    result.error = fmt::format("error reading {}", path.string());
    return result;
  }
  result.store = ingest.finish();
  if (!result.store.stats().sawCalendar)
    result.error = fmt::format("{} is not an iCalendar file (no BEGIN:VCALENDAR)", path.string());
  return result;
}

}  // namespace cb::ics
