// Ingest: RFC 5545 line unfolding, VEVENT extraction and the compact EventStore.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <fstream>
#include <unordered_set>

#include "ics/store.hpp"

namespace cb::ics {
namespace {

using namespace std::chrono;

struct Record {
  Occurrence occ;  // start/end of the (single) instance; text views into the arena
};

// One content line: NAME;PARAM=V;...:VALUE, split without copying.
struct ContentLine {
  std::string_view name;
  std::string_view params;  // everything between the name and the ':' (leading ';')
  std::string_view value;
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

ContentLine splitLine(std::string_view line) {
  ContentLine cl;
  std::size_t i = 0;
  while (i < line.size() && line[i] != ';' && line[i] != ':') ++i;
  cl.name = line.substr(0, i);
  const std::size_t paramStart = i;
  bool quoted = false;
  for (; i < line.size(); ++i) {
    if (line[i] == '"')
      quoted = !quoted;
    else if (line[i] == ':' && !quoted)
      break;
  }
  cl.params = line.substr(paramStart, i - paramStart);
  cl.value = i < line.size() ? line.substr(i + 1) : std::string_view{};
  return cl;
}

// The value of parameter `key` (quotes removed), or empty.
std::string_view param(std::string_view params, std::string_view key) {
  std::size_t i = 0;
  while (i < params.size()) {
    if (params[i] != ';') return {};
    std::size_t eq = params.find('=', i + 1);
    if (eq == std::string_view::npos) return {};
    const std::string_view name = params.substr(i + 1, eq - i - 1);
    std::size_t j = eq + 1;
    bool quoted = false;
    for (; j < params.size(); ++j) {
      if (params[j] == '"')
        quoted = !quoted;
      else if (params[j] == ';' && !quoted)
        break;
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

std::string unescapeText(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      const char n = v[++i];
      out += (n == 'n' || n == 'N') ? '\n' : n;
    } else {
      out += v[i];
    }
  }
  return out;
}

bool num(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc{} && p == s.data() + pos + n;
}

struct DateTimeValue {
  bool isDate = false;
  Date date{};
  Instant instant{};
};

std::optional<DateTimeValue> parseDateTime(const ContentLine& cl, const TimeZone& display,
                                           const WarningSink& warn) {
  const std::string_view v = cl.value;
  int y = 0, mo = 0, d = 0;
  if (!num(v, 0, 4, y) || !num(v, 4, 2, mo) || !num(v, 6, 2, d)) return std::nullopt;
  const year_month_day ymd{year{y} / mo / d};
  if (!ymd.ok()) return std::nullopt;
  DateTimeValue out;
  if (v.size() == 8) {
    out.isDate = true;
    out.date = Date{ymd};
    return out;
  }
  int h = 0, mi = 0, s = 0;
  if (v.size() < 15 || v[8] != 'T' || !num(v, 9, 2, h) || !num(v, 11, 2, mi) || !num(v, 13, 2, s) ||
      h > 23 || mi > 59 || s > 60)
    return std::nullopt;
  const LocalSeconds local = local_days{ymd} + hours{h} + minutes{mi} + seconds{s};
  if (v.size() == 16 && v[15] == 'Z') {
    out.instant = Instant{local.time_since_epoch()};
    return out;
  }
  if (v.size() != 15) return std::nullopt;
  const TimeZone* zone = &display;
  if (std::string_view tzid = param(cl.params, "TZID"); !tzid.empty()) {
    if (const TimeZone* z = TimeZone::locate(tzid)) {
      zone = z;
    } else if (warn) {
      warn(fmt::format("unknown TZID \"{}\": taken as floating time", tzid));
    }
  }
  out.instant = zone->toInstant(local);
  return out;
}

std::optional<seconds> parseDuration(std::string_view v) {
  bool negative = false;
  std::size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) negative = v[i++] == '-';
  if (i >= v.size() || v[i++] != 'P') return std::nullopt;
  seconds total{0};
  bool inTime = false, any = false;
  while (i < v.size()) {
    if (v[i] == 'T') {
      inTime = true;
      ++i;
      continue;
    }
    long n = 0;
    auto [p, ec] = std::from_chars(v.data() + i, v.data() + v.size(), n);
    if (ec != std::errc{} || p == v.data() + v.size()) return std::nullopt;
    i = std::size_t(p - v.data());
    switch (v[i++]) {
      case 'W':
        total += weeks{n};
        break;
      case 'D':
        total += days{n};
        break;
      case 'H':
        if (!inTime) return std::nullopt;
        total += hours{n};
        break;
      case 'M':
        if (!inTime) return std::nullopt;
        total += minutes{n};
        break;
      case 'S':
        if (!inTime) return std::nullopt;
        total += seconds{n};
        break;
      default:
        return std::nullopt;
    }
    any = true;
  }
  if (!any) return std::nullopt;
  return negative ? -total : total;
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

}  // namespace

struct EventStore::Data {
  std::vector<Occurrence> records;
  std::deque<std::string> arena;
  std::unordered_set<std::string_view> interned;
  IngestStats stats;

  std::string_view intern(std::string_view s) {
    if (auto it = interned.find(s); it != interned.end()) return *it;
    const std::string_view stored = arena.emplace_back(s);
    interned.insert(stored);
    return stored;
  }
};

EventStore::EventStore() : data_(std::make_unique<Data>()) {}
EventStore::~EventStore() = default;
EventStore::EventStore(EventStore&&) noexcept = default;
EventStore& EventStore::operator=(EventStore&&) noexcept = default;

std::size_t EventStore::eventCount() const {
  return data_->records.size();
}
const IngestStats& EventStore::stats() const {
  return data_->stats;
}

std::vector<Occurrence> EventStore::occurrences(Instant from, Instant to) const {
  std::vector<Occurrence> out;
  for (const Occurrence& o : data_->records) {
    const bool overlaps =
        o.start == o.end ? (from <= o.start && o.start < to) : (o.start < to && o.end > from);
    if (overlaps) out.push_back(o);
  }
  std::sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) {
    return std::tie(a.start, a.end, a.summary) < std::tie(b.start, b.end, b.summary);
  });
  return out;
}

struct Ingest::State {
  IngestOptions options;
  WarningSink warn;
  EventStore store;
  std::string physical;  // the incomplete physical line carried between feed() calls
  std::string logical;   // the unfolded line being assembled
  bool haveLogical = false;
  bool lineTooLong = false;
  bool bomChecked = false;
  std::vector<std::string> stack;  // open components
  std::vector<std::string> event;  // unfolded lines of the VEVENT being read
  std::size_t eventBytes = 0;
  bool eventOverLimit = false;

  void warning(std::string_view msg) {
    if (warn) warn(msg);
  }

  void physicalLine(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      if (haveLogical) appendLogical(line.substr(1));
      return;
    }
    flushLogical();
    logical.assign(line.substr(0, options.limits.maxLineBytes));
    lineTooLong = line.size() > options.limits.maxLineBytes;
    haveLogical = true;
  }

  void appendLogical(std::string_view part) {
    if (logical.size() + part.size() > options.limits.maxLineBytes) {
      lineTooLong = true;
      return;
    }
    logical.append(part);
  }

  void flushLogical() {
    if (!haveLogical) return;
    haveLogical = false;
    if (lineTooLong) {
      if (!event.empty() || inEvent()) eventOverLimit = true;
      warning(fmt::format("content line longer than {} bytes", options.limits.maxLineBytes));
      return;
    }
    contentLine(logical);
  }

  bool inEvent() const { return !stack.empty() && stack.back() == "VEVENT"; }

  void contentLine(const std::string& line) {
    const ContentLine cl = splitLine(line);
    if (iequals(cl.name, "BEGIN")) {
      std::string name(cl.value);
      for (char& c : name) c = char(std::toupper(static_cast<unsigned char>(c)));
      if (name == "VCALENDAR") store.data_->stats.sawCalendar = true;
      if (name == "VEVENT" && !stack.empty()) {
        event.clear();
        eventBytes = 0;
        eventOverLimit = false;
      }
      stack.push_back(std::move(name));
      return;
    }
    if (iequals(cl.name, "END")) {
      if (stack.empty()) return;
      const bool closingEvent = inEvent() && iequals(cl.value, "VEVENT");
      if (closingEvent) finishEvent();
      stack.pop_back();
      return;
    }
    if (inEvent()) {
      eventBytes += line.size();
      if (eventBytes > options.limits.maxComponentBytes) {
        eventOverLimit = true;
        return;
      }
      event.push_back(line);
    }
  }

  void finishEvent() {
    IngestStats& stats = store.data_->stats;
    if (eventOverLimit) {
      ++stats.skipped;
      warning(fmt::format("VEVENT larger than {} bytes skipped", options.limits.maxComponentBytes));
      return;
    }
    if (store.data_->records.size() >= options.limits.maxEventsPerFeed) {
      ++stats.skipped;
      return;
    }
    const TimeZone& display = *options.displayZone;
    Occurrence o;
    o.source = options.source;
    std::optional<DateTimeValue> start, end;
    std::optional<seconds> duration;
    std::string uid, summary, location, statusText;
    for (const std::string& raw : event) {
      const ContentLine cl = splitLine(raw);
      if (iequals(cl.name, "DTSTART")) {
        start = parseDateTime(cl, display, warn);
        if (!start) {
          ++stats.skipped;
          warning(fmt::format("VEVENT with unreadable DTSTART \"{}\" skipped", cl.value));
          return;
        }
      } else if (iequals(cl.name, "DTEND")) {
        end = parseDateTime(cl, display, warn);
        if (!end) {
          ++stats.skipped;
          warning(fmt::format("VEVENT with unreadable DTEND \"{}\" skipped", cl.value));
          return;
        }
      } else if (iequals(cl.name, "DURATION")) {
        duration = parseDuration(cl.value);
      } else if (iequals(cl.name, "UID")) {
        uid = unescapeText(cl.value);
      } else if (iequals(cl.name, "SUMMARY")) {
        summary = unescapeText(cl.value);
      } else if (iequals(cl.name, "LOCATION")) {
        location = unescapeText(cl.value);
      } else if (iequals(cl.name, "STATUS")) {
        statusText = std::string(cl.value);
        o.status = parseStatus(cl.value);
      } else if (iequals(cl.name, "TRANSP")) {
        if (iequals(cl.value, "TRANSPARENT")) o.busy = BusyStatus::Free;
      } else if (iequals(cl.name, "CLASS")) {
        if (iequals(cl.value, "PRIVATE"))
          o.privacy = Privacy::Private;
        else if (iequals(cl.value, "CONFIDENTIAL"))
          o.privacy = Privacy::Confidential;
      } else if (iequals(cl.name, "ATTENDEE")) {
        std::string_view addr = cl.value;
        if (addr.size() > 7 && iequals(addr.substr(0, 7), "mailto:")) addr.remove_prefix(7);
        for (const std::string& owner : options.ownerEmails)
          if (iequals(addr, owner)) o.response = parsePartstat(param(cl.params, "PARTSTAT"));
      }
    }
    if (!start) {
      ++stats.skipped;
      warning("VEVENT without DTSTART skipped");
      return;
    }
    o.allDay = start->isDate;
    if (o.allDay) {
      o.startDate = start->date;
      o.endDate = end && end->isDate ? end->date
                  : duration         ? start->date + floor<days>(*duration)
                                     : start->date + days{1};
      o.start = display.startOfDay(o.startDate);
      o.end = display.startOfDay(o.endDate);
    } else {
      o.start = start->instant;
      o.end = end        ? (end->isDate ? display.startOfDay(end->date) : end->instant)
              : duration ? o.start + *duration
                         : o.start;
    }
    if (o.end < o.start) {
      ++stats.skipped;
      warning(fmt::format("VEVENT \"{}\" ends before it starts: skipped", summary));
      return;
    }
    if (options.now &&
        (o.end < *options.now - days{1} || o.start > *options.now + options.horizon)) {
      ++stats.dropped;
      return;
    }
    auto clip = [&](std::string& s) {
      if (s.size() <= options.limits.maxTextBytes) return;
      std::size_t cut = options.limits.maxTextBytes;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;  // UTF-8 boundary
      s.resize(cut);
    };
    clip(summary);
    clip(location);
    EventStore::Data& data = *store.data_;
    o.uidHash = fnv1a(uid);
    if (options.keepUids) o.uid = data.intern(uid);
    o.summary = data.intern(summary);
    o.location = data.intern(location);
    o.statusText = data.intern(statusText);
    data.records.push_back(o);
    ++stats.events;
  }
};

Ingest::Ingest(IngestOptions options, WarningSink warn) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->warn = std::move(warn);
}

Ingest::~Ingest() = default;

void Ingest::feed(std::string_view bytes) {
  State& s = *state_;
  s.store.data_->stats.bytes += bytes.size();
  if (!s.bomChecked) {
    s.physical.append(bytes);
    if (s.physical.size() < 3 && bytes.size() > 0 && s.physical.starts_with("\xEF")) return;
    s.bomChecked = true;
    std::string pending = std::move(s.physical);
    s.physical.clear();
    std::string_view rest = pending;
    if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
    std::string copy(rest);
    bytes = copy;
    // Re-enter with the BOM removed.
    std::size_t pos = 0;
    while (true) {
      const std::size_t nl = copy.find('\n', pos);
      if (nl == std::string::npos) break;
      s.physicalLine(std::string_view(copy).substr(pos, nl - pos));
      pos = nl + 1;
    }
    s.physical.assign(copy, pos);
    return;
  }
  std::size_t pos = 0;
  while (true) {
    const std::size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) break;
    if (s.physical.empty()) {
      s.physicalLine(bytes.substr(pos, nl - pos));
    } else {
      s.physical.append(bytes.substr(pos, nl - pos));
      s.physicalLine(s.physical);
      s.physical.clear();
    }
    pos = nl + 1;
  }
  s.physical.append(bytes.substr(pos));
}

EventStore Ingest::finish() {
  State& s = *state_;
  if (!s.physical.empty()) {
    s.physicalLine(s.physical);
    s.physical.clear();
  }
  s.flushLogical();
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
  std::string buffer(64 * 1024, '\0');
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
