// TZif reader: header and data block checks, the POSIX TZ footer and its rule's yearly changes.
#include "ics/tzif.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace cb::ics {
namespace {

using namespace std::chrono;
using Change = TimeZone::Change;

// RFC 8536 3.2: UT offsets SHOULD lie in this range; recur.cpp's window slack relies on < 26 h.
constexpr std::int32_t kMinOffset = -89999;
constexpr std::int32_t kMaxOffset = 93599;
constexpr int kFirstYear = 1;
constexpr std::int64_t kFirstYearStart = -62135596800;  // 0001-01-01T00:00:00Z
constexpr std::int64_t kAfterYear9999 = 253402300800;   // 10000-01-01T00:00:00Z

// Big-endian reads; callers check has() first, so nothing reads past the end.
class Bytes {
 public:
  explicit Bytes(std::string_view data) : data_(data) {}
  [[nodiscard]] bool has(std::uint64_t n) const { return n <= data_.size() - pos_; }
  [[nodiscard]] std::uint64_t take(int size) {
    std::uint64_t v = 0;
    for (int i = 0; i < size; ++i) v = v << 8 | static_cast<unsigned char>(data_[pos_++]);
    return v;
  }
  void skip(std::uint64_t n) { pos_ += std::size_t(n); }
  [[nodiscard]] std::string_view rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

struct Header {
  char version = 0;  // '\0' for version 1, then '2', '3', '4'
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  // The size of the data block that follows, with `timeSize`-byte times (4 in v1, 8 after).
  [[nodiscard]] std::uint64_t blockSize(int timeSize) const {
    return std::uint64_t(timecnt) * std::uint64_t(timeSize + 1) + std::uint64_t(typecnt) * 6 +
           charcnt + std::uint64_t(leapcnt) * std::uint64_t(timeSize + 4) + isstdcnt + isutcnt;
  }
};

std::optional<Header> readHeader(Bytes& in) {
  if (!in.has(44) || in.rest().substr(0, 4) != "TZif") return std::nullopt;
  Header h;
  h.version = in.rest()[4];
  in.skip(20);
  for (std::uint32_t* count :
       {&h.isutcnt, &h.isstdcnt, &h.leapcnt, &h.timecnt, &h.typecnt, &h.charcnt})
    *count = std::uint32_t(in.take(4));
  if (h.version != '\0' && h.version < '2') return std::nullopt;
  // RFC 8536 3.1: at least one type (a one-byte index reaches 256) and one designation byte;
  // standard/wall and UT/local indicators for every type or for none.
  if (h.typecnt == 0 || h.typecnt > 256 || h.charcnt == 0) return std::nullopt;
  if ((h.isstdcnt != 0 && h.isstdcnt != h.typecnt) || (h.isutcnt != 0 && h.isutcnt != h.typecnt))
    return std::nullopt;
  return h;
}

struct LocalTimeType {
  std::int32_t offset = 0;
  bool dst = false;
};

struct Block {
  std::vector<std::int64_t> times;  // strictly ascending UTC seconds
  std::vector<std::uint8_t> typeOf;
  std::vector<LocalTimeType> types;
};

std::optional<Block> readBlock(Bytes& in, const Header& h, int timeSize) {
  if (!in.has(h.blockSize(timeSize))) return std::nullopt;
  Block b;
  b.times.reserve(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    const std::uint64_t raw = in.take(timeSize);
    const std::int64_t t =
        timeSize == 4 ? std::int64_t(std::int32_t(std::uint32_t(raw))) : std::int64_t(raw);
    if (!b.times.empty() && t <= b.times.back()) return std::nullopt;
    b.times.push_back(t);
  }
  b.typeOf.reserve(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    const auto type = std::uint8_t(in.take(1));
    if (type >= h.typecnt) return std::nullopt;
    b.typeOf.push_back(type);
  }
  b.types.reserve(h.typecnt);
  for (std::uint32_t i = 0; i < h.typecnt; ++i) {
    const auto offset = std::int32_t(std::uint32_t(in.take(4)));
    const std::uint64_t dst = in.take(1);
    const std::uint64_t designation = in.take(1);
    if (offset < kMinOffset || offset > kMaxOffset || dst > 1 || designation >= h.charcnt)
      return std::nullopt;
    b.types.push_back({offset, dst == 1});
  }
  // Designations, leap second records and the indicators: nothing we use.
  in.skip(std::uint64_t(h.charcnt) + std::uint64_t(h.leapcnt) * std::uint64_t(timeSize + 4) +
          h.isstdcnt + h.isutcnt);
  return b;
}

// One of a POSIX TZ rule's two dates and the wall-clock time of the change on it.
struct RuleDate {
  char kind = 'M';  // 'J': Jn, day 1..365 without Feb 29; 'N': n, day 0..365; 'M': Mm.w.d
  int day = 0;
  int month = 0;
  int week = 0;     // 1..4, 5 = the last such weekday of the month
  int weekday = 0;  // 0 = Sunday
  std::int32_t time = 7200;
};

// "std offset [dst [offset],start[/time],end[/time]]", offsets west-positive as POSIX writes
// them, stored here east-positive.
struct PosixTz {
  std::int32_t stdOffset = 0;
  bool hasDst = false;
  std::int32_t dstOffset = 0;
  RuleDate start, end;
};

class TzText {
 public:
  explicit TzText(std::string_view s) : s_(s) {}
  [[nodiscard]] bool atEnd() const { return pos_ == s_.size(); }
  [[nodiscard]] bool startsOffset() const {
    return !atEnd() && (digit(s_[pos_]) || s_[pos_] == '+' || s_[pos_] == '-');
  }
  bool eat(char c) {
    if (atEnd() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // "CET" or "<+0330>": three or more letters, or quoted letters, digits and signs.
  bool name() {
    const bool quoted = eat('<');
    const std::size_t from = pos_;
    while (!atEnd() &&
           (alpha(s_[pos_]) || (quoted && (digit(s_[pos_]) || s_[pos_] == '+' || s_[pos_] == '-'))))
      ++pos_;
    return pos_ - from >= 3 && (!quoted || eat('>'));
  }

  // [+|-]hh[:mm[:ss]] in seconds; offsets go to 24 hours, rule times to 167 (RFC 8536 3.3.1).
  bool hms(int maxHours, std::int32_t& out) {
    const bool negative = eat('-');
    if (!negative) eat('+');
    int h = 0, m = 0, s = 0;
    if (!number(3, h) || h > maxHours) return false;
    if (eat(':') && (!number(2, m) || m > 59 || (eat(':') && (!number(2, s) || s > 59))))
      return false;
    out = (negative ? -1 : 1) * (h * 3600 + m * 60 + s);
    return true;
  }

  bool date(RuleDate& d) {
    if (eat('J')) {
      d.kind = 'J';
      if (!number(3, d.day) || d.day < 1 || d.day > 365) return false;
    } else if (eat('M')) {
      d.kind = 'M';
      if (!number(2, d.month) || d.month < 1 || d.month > 12 || !eat('.') || !number(1, d.week) ||
          d.week < 1 || d.week > 5 || !eat('.') || !number(1, d.weekday) || d.weekday > 6)
        return false;
    } else {
      d.kind = 'N';
      if (!number(3, d.day) || d.day > 365) return false;
    }
    return !eat('/') || hms(167, d.time);
  }

 private:
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  static bool alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

  bool number(int maxDigits, int& out) {
    out = 0;
    int n = 0;
    for (; n < maxDigits && !atEnd() && digit(s_[pos_]); ++n) out = out * 10 + (s_[pos_++] - '0');
    return n > 0;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

std::optional<PosixTz> parsePosixTz(std::string_view text) {
  TzText t(text);
  PosixTz tz;
  std::int32_t v = 0;
  if (!t.name() || !t.hms(24, v)) return std::nullopt;
  tz.stdOffset = -v;
  if (t.atEnd()) return tz;
  if (!t.name()) return std::nullopt;
  tz.hasDst = true;
  tz.dstOffset = tz.stdOffset + 3600;
  if (t.startsOffset()) {
    if (!t.hms(24, v)) return std::nullopt;
    tz.dstOffset = -v;
  }
  // zic always writes the rule; POSIX leaves a missing one to the implementation.
  if (!t.eat(',') || !t.date(tz.start) || !t.eat(',') || !t.date(tz.end) || !t.atEnd())
    return std::nullopt;
  return tz;
}

std::int64_t ruleDay(const RuleDate& d, int y) {
  const sys_days jan1{year{y} / January / 1};
  sys_days day;
  switch (d.kind) {
    case 'J':
      day = jan1 + days{d.day - 1 + (year{y}.is_leap() && d.day >= 60 ? 1 : 0)};
      break;
    case 'N':
      day = jan1 + days{d.day};
      break;
    default: {
      const year_month ym = year{y} / month{unsigned(d.month)};
      const weekday wd{unsigned(d.weekday)};
      day = d.week == 5 ? sys_days{ym / wd[last]} : sys_days{ym / wd[unsigned(d.week)]};
    }
  }
  return day.time_since_epoch().count();
}

struct Step {
  std::int64_t utc = 0;
  std::int32_t offset = 0;
  bool dst = false;
};

// The rule's changes of the years [from, to] in order. At one instant the later one wins:
// a rule whose DST starts and ends together has none; one whose DST ends on Dec 31 at 24:00
// plus the DST difference, as the next starts, has DST all year (RFC 8536 3.3.1).
std::vector<Step> ruleSteps(const PosixTz& tz, int from, int to) {
  std::vector<Step> steps;
  if (!tz.hasDst) return steps;
  for (int y = from; y <= to; ++y) {
    const Step start{ruleDay(tz.start, y) * 86400 + tz.start.time - tz.stdOffset, tz.dstOffset,
                     true};
    const Step end{ruleDay(tz.end, y) * 86400 + tz.end.time - tz.dstOffset, tz.stdOffset, false};
    steps.push_back(end.utc < start.utc ? end : start);
    steps.push_back(end.utc < start.utc ? start : end);
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& a, const Step& b) { return a.utc < b.utc; });
  return steps;
}

int yearOf(std::int64_t utc) {
  if (utc < kFirstYearStart) return kFirstYear;
  if (utc >= kAfterYear9999) return 10000;
  return int(year_month_day{floor<days>(sys_seconds{seconds{utc}})}.year());
}

// The change list under construction; `prevOffset` always the offset before the change.
class Table {
 public:
  Table(std::int32_t offset, bool dst) : offset_(offset), dst_(dst), firstDst_(dst) {}

  void add(std::int64_t utc, std::int32_t offset, bool dst) {
    if (!changes_.empty() && changes_.back().utc == utc) {  // the later change wins
      offset_ = changes_.back().prevOffset;
      changes_.pop_back();
      dst_ = changes_.empty() ? firstDst_ : changes_.back().daylight;
    }
    if (offset == offset_ && dst == dst_) return;  // a new abbreviation only
    changes_.push_back({utc, offset, offset_, dst});
    offset_ = offset;
    dst_ = dst;
  }

  [[nodiscard]] std::int32_t offset() const { return offset_; }
  [[nodiscard]] bool dst() const { return dst_; }

  std::vector<Change> finish() {
    if (changes_.empty()) changes_.push_back({0, offset_, offset_, dst_});
    changes_.shrink_to_fit();
    return std::move(changes_);
  }

 private:
  std::vector<Change> changes_;
  std::int32_t offset_;
  bool dst_;
  bool firstDst_;
};

std::vector<Change> buildChanges(const Block& b, const std::optional<PosixTz>& rule, int endYear) {
  if (b.times.empty() && rule) {
    const std::vector<Step> steps = ruleSteps(*rule, kFirstYear, endYear + 1);
    Table table = !rule->hasDst || steps.empty() || steps[0].dst ? Table(rule->stdOffset, false)
                                                                 : Table(rule->dstOffset, true);
    for (const Step& s : steps) table.add(s.utc, s.offset, s.dst);
    return table.finish();
  }
  // Before the first transition: the first standard-time type, as glibc and zoneinfo read it.
  LocalTimeType before = b.types[0];
  for (const LocalTimeType& t : b.types)
    if (!t.dst) {
      before = t;
      break;
    }
  Table table(before.offset, before.dst);
  for (std::size_t i = 0; i < b.times.size(); ++i) {
    const LocalTimeType& t = b.types[b.typeOf[i]];
    table.add(b.times[i], t.offset, t.dst);
  }
  if (!rule || b.times.empty()) return table.finish();
  // After the last transition the rule alone decides, even where the file's last type differs.
  const std::int64_t last = b.times.back();
  const std::vector<Step> steps =
      ruleSteps(*rule, std::max(kFirstYear, yearOf(last) - 1), endYear + 1);
  if (rule->hasDst && steps.empty()) return table.finish();  // the rule starts past endYear
  // The rule's state just after `last`: its latest change by then, else the one its first undoes.
  Step state = !rule->hasDst || steps[0].dst ? Step{0, rule->stdOffset, false}
                                             : Step{0, rule->dstOffset, true};
  for (const Step& s : steps)
    if (s.utc <= last) state = s;
  if (state.offset != table.offset() || state.dst != table.dst())
    table.add(last + 1, state.offset, state.dst);
  for (const Step& s : steps)
    if (s.utc > last) table.add(s.utc, s.offset, s.dst);
  return table.finish();
}

}  // namespace

std::optional<std::vector<Change>> readTzif(std::string_view bytes, int endYear) {
  Bytes in(bytes);
  std::optional<Header> h = readHeader(in);
  if (!h) return std::nullopt;
  std::optional<Block> block = readBlock(in, *h, 4);
  if (!block) return std::nullopt;
  std::optional<PosixTz> rule;
  if (h->version != '\0') {
    // Version 2+: the same data again with 64-bit times, then "\n<POSIX TZ string>\n".
    h = readHeader(in);
    if (!h || h->version == '\0') return std::nullopt;
    block = readBlock(in, *h, 8);
    if (!block) return std::nullopt;
    const std::string_view footer = in.rest();
    const std::size_t end = footer.find('\n', 1);
    if (footer.empty() || footer[0] != '\n' || end == std::string_view::npos) return std::nullopt;
    if (end > 1) {
      rule = parsePosixTz(footer.substr(1, end - 1));
      if (!rule) return std::nullopt;
    }
  }
  return buildChanges(*block, rule, endYear);
}

}  // namespace cb::ics
