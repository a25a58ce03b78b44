// EventStore ⇄ bytes: a little-endian, length-prefixed layout, bounds-checked on the way in.
#include "ics/snapshot.hpp"

#include <fmt/format.h>

#include <cstring>

#include "ics/ical_lib.hpp"
#include "ics/store_data.hpp"

namespace cb::ics {
namespace {

using namespace std::chrono;

constexpr char kMagic[4] = {'C', 'B', 'E', 'S'};

class Writer {
 public:
  void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  template <class T>
  void num(T v) {
    static_assert(std::is_integral_v<T>);
    unsigned char b[sizeof(T)];
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<unsigned char>(u >> (8 * i));
    raw(b, sizeof b);
  }
  void str(std::string_view s) {
    num(std::uint32_t(s.size()));
    raw(s.data(), s.size());
  }
  void instant(Instant t) { num(std::int64_t(t.time_since_epoch().count())); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool atEnd() const { return ok_ && in_.empty(); }
  template <class T>
  T num() {
    if (in_.size() < sizeof(T)) return fail<T>();
    std::make_unsigned_t<T> u = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      u |= std::make_unsigned_t<T>(static_cast<unsigned char>(in_[i])) << (8 * i);
    in_.remove_prefix(sizeof(T));
    return static_cast<T>(u);
  }
  std::string_view str() {
    const std::uint32_t n = num<std::uint32_t>();
    if (!ok_ || in_.size() < n) return fail<std::string_view>();
    const std::string_view s = in_.substr(0, n);
    in_.remove_prefix(n);
    return s;
  }
  // Every instant, date and length the ingest produces lies within years 1..9999; one in an
  // image beyond kSpan (about 12,700 years either side of 1970) is refused, so the sums of a
  // few of them the expansion takes can never overflow (fuzz_snapshot: an RDATE period
  // ending 2e11 years on made `end - key` overflow).
  static constexpr std::int64_t kSpan = 400'000'000'000;  // seconds
  // An int64 within ±limit; beyond it the read fails.
  std::int64_t within(std::int64_t limit) {
    const auto v = num<std::int64_t>();
    return v < -limit || v > limit ? fail<std::int64_t>() : v;
  }
  std::int64_t secs() { return within(kSpan); }
  Instant instant() { return Instant{seconds{secs()}}; }
  Date date() { return Date{days{within(kSpan / 86400)}}; }
  // A segment's bound: an instant, or "none" (Instant::min/max, compared only).
  Instant bound() {
    const auto v = num<std::int64_t>();
    const bool none = v == Instant::min().time_since_epoch().count() ||
                      v == Instant::max().time_since_epoch().count();
    return none || (v >= -kSpan && v <= kSpan) ? Instant{seconds{v}} : fail<Instant>();
  }
  // A count of items each at least `minBytes` long: bounded by what is left.
  std::size_t count(std::size_t minBytes) {
    const std::uint32_t n = num<std::uint32_t>();
    if (!ok_ || std::size_t(n) * minBytes > in_.size()) return fail<std::size_t>();
    return n;
  }
  template <class T>
  T fail() {
    ok_ = false;
    in_ = {};
    return T{};
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

// A VTIMEZONE zone in the image: its table, or (rarely) its text for libical to answer.
constexpr std::uint8_t kZoneTable = 0;
constexpr std::uint8_t kZoneText = 1;
constexpr std::size_t kMinZoneBytes = 4 + 1 + 4;  // a name, the kind, a count or a text
constexpr std::size_t kZoneChangeBytes = 8 + 4 + 4 + 1;

// The zone `r` holds; `text` gets a text zone's VTIMEZONE. nullptr when it is not valid.
std::shared_ptr<const TimeZone> readZone(Reader& r, std::string& text) {
  const std::string_view name = r.str();
  const auto kind = r.num<std::uint8_t>();
  if (!r.ok()) return nullptr;
  if (kind == kZoneText) {
    text = r.str();
    if (!r.ok()) return nullptr;
    (void)ical(fmt::format("the time zone \"{}\"", name));
    return TimeZone::fromVtimezone(text, name);
  }
  if (kind != kZoneTable) return nullptr;
  const auto endYear = r.num<std::int32_t>();
  std::vector<TimeZone::Change> changes(r.count(kZoneChangeBytes));
  for (TimeZone::Change& c : changes) {
    c.utc = r.num<std::int64_t>();
    c.offset = r.num<std::int32_t>();
    c.prevOffset = r.num<std::int32_t>();
    const auto daylight = r.num<std::uint8_t>();
    if (daylight > 1) return nullptr;
    c.daylight = daylight != 0;
  }
  if (!r.ok()) return nullptr;
  return TimeZone::fromTable(std::string(name), std::move(changes), endYear);
}

void writeOccurrence(Writer& w, const Occurrence& o) {
  w.instant(o.start);
  w.instant(o.end);
  w.num(std::int64_t(o.startDate.time_since_epoch().count()));
  w.num(std::int64_t(o.endDate.time_since_epoch().count()));
  w.num(std::uint8_t(o.allDay | (o.fromOverride << 1) | (o.recurrenceIdIsDate << 2)));
  w.instant(o.recurrenceId);
  w.num(std::uint8_t(o.status));
  w.num(std::uint8_t(o.response));
  w.num(std::uint8_t(o.busy));
  w.num(std::uint8_t(o.privacy));
  w.num(o.source);
  w.num(o.uidHash);
  w.str(o.uid);
  w.str(o.statusText);
  w.str(o.summary);
  w.str(o.location);
}

template <class E>
bool enumValue(std::uint8_t v, E last, E& out) {
  if (v > std::uint8_t(last)) return false;
  out = E(v);
  return true;
}

bool readOccurrence(Reader& r, Arena& arena, Occurrence& o) {
  o.start = r.instant();
  o.end = r.instant();
  o.startDate = r.date();
  o.endDate = r.date();
  const auto flags = r.num<std::uint8_t>();
  o.allDay = flags & 1;
  o.fromOverride = flags & 2;
  o.recurrenceIdIsDate = flags & 4;
  o.recurrenceId = r.instant();
  const bool enums = enumValue(r.num<std::uint8_t>(), Status::Other, o.status) &&
                     enumValue(r.num<std::uint8_t>(), Response::Delegated, o.response) &&
                     enumValue(r.num<std::uint8_t>(), BusyStatus::OutOfOffice, o.busy) &&
                     enumValue(r.num<std::uint8_t>(), Privacy::Confidential, o.privacy);
  o.source = r.num<std::uint16_t>();
  o.uidHash = r.num<std::uint64_t>();
  o.uid = arena.intern(r.str());
  o.statusText = arena.intern(r.str());
  o.summary = arena.intern(r.str());
  o.location = arena.intern(r.str());
  return r.ok() && enums && (flags & ~7) == 0 && o.end >= o.start;
}

constexpr std::size_t kMinOccurrenceBytes = 8 * 5 + 1 + 4 + 2 + 8 + 4 * 4;
constexpr std::size_t kTallyEntryBytes = 4 + 4 + 1 + 4;

}  // namespace

std::string serializeStore(const EventStore& store) {
  const EventStore::Data& d = *store.data_;
  Writer w;
  w.raw(kMagic, 4);
  w.num(kStoreImageVersion);
  w.str(d.display->name());
  w.num(std::uint64_t(d.maxOccurrencesPerSeries));
  const IngestStats& st = d.stats;
  for (std::uint64_t v : {st.bytes, st.events, st.skipped, st.dropped, st.duplicates, st.longLines})
    w.num(v);
  w.num(std::uint8_t(st.sawCalendar));
  // VTIMEZONE zones as their tables of changes, so that reading the image needs no libical;
  // the text only of a zone libical answers for.
  w.num(std::uint32_t(d.zones.size()));
  for (std::size_t i = 0; i < d.zones.size(); ++i) {
    const TimeZone& z = *d.zones[i];
    w.str(z.name());
    w.num(std::uint8_t(z.hasTable() ? kZoneTable : kZoneText));
    if (!z.hasTable()) {
      w.str(d.zoneTexts[i]);
      continue;
    }
    w.num(std::int32_t(z.tableEndYear()));
    w.num(std::uint32_t(z.changes().size()));
    for (const TimeZone::Change& c : z.changes()) {
      w.num(c.utc);
      w.num(c.offset);
      w.num(c.prevOffset);
      w.num(std::uint8_t(c.daylight));
    }
  }
  w.num(std::uint32_t(d.singles.size()));
  for (const Occurrence& o : d.singles) writeOccurrence(w, o);
  w.num(std::uint32_t(d.series.size()));
  for (const Series& s : d.series) {
    writeOccurrence(w, s.proto);
    // The zone: one of the VTIMEZONEs above (index + 1), or 0 and an IANA name.
    std::uint32_t owned = 0;
    for (std::size_t i = 0; i < d.zones.size(); ++i)
      if (d.zones[i].get() == s.zone) owned = std::uint32_t(i + 1);
    w.num(owned);
    w.str(owned ? std::string_view{} : std::string_view(s.zone->name()));
    w.num(std::uint8_t(s.allDay | (s.floating << 1) | (s.length.wallClock << 2)));
    w.num(std::int64_t(s.dtstart.time_since_epoch().count()));
    w.num(std::int32_t(s.length.days));
    w.num(std::int64_t(s.length.exact.count()));
    w.str(s.rrules);
    w.num(std::uint32_t(s.rdates.size()));
    for (const RDate& rd : s.rdates) {
      w.instant(rd.key);
      w.num(std::uint8_t(rd.hasEnd));
      w.instant(rd.end);
    }
    w.num(std::uint32_t(s.exclude.size()));
    for (Instant k : s.exclude) w.instant(k);
    w.num(std::uint32_t(s.excludeDays.size()));
    for (Date day : s.excludeDays) w.num(std::int64_t(day.time_since_epoch().count()));
    w.instant(s.notBefore);
    w.instant(s.notAfter);
    w.num(std::int64_t(s.shift.count()));
  }
  const auto& leftOut = d.leftOut.entries();
  w.num(std::uint32_t(leftOut.size()));
  for (const ScreenTally::Entry& e : leftOut) {
    w.num(e.first);
    w.num(e.second);
    w.num(std::uint8_t(e.kind | (e.free << 4)));
    w.num(e.count);
  }
  return w.take();
}

std::optional<EventStore> deserializeStore(std::string_view bytes) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 4) != 0) return std::nullopt;
  Reader r(bytes.substr(4));
  if (r.num<std::uint32_t>() != kStoreImageVersion) return std::nullopt;
  EventStore store;
  EventStore::Data& d = *store.data_;
  d.display = TimeZone::locate(r.str());
  if (d.display == nullptr) return std::nullopt;
  d.maxOccurrencesPerSeries = std::size_t(r.num<std::uint64_t>());
  IngestStats& st = d.stats;
  for (std::uint64_t* v :
       {&st.bytes, &st.events, &st.skipped, &st.dropped, &st.duplicates, &st.longLines})
    *v = r.num<std::uint64_t>();
  st.sawCalendar = r.num<std::uint8_t>() != 0;
  const std::size_t zoneCount = r.count(kMinZoneBytes);
  for (std::size_t i = 0; i < zoneCount && r.ok(); ++i) {
    auto zone = readZone(r, d.zoneTexts.emplace_back());
    if (!r.ok() || !zone) return std::nullopt;
    d.zones.push_back(std::move(zone));
  }
  const std::size_t singles = r.count(kMinOccurrenceBytes);
  d.singles.reserve(singles);
  for (std::size_t i = 0; i < singles; ++i) {
    Occurrence o;
    if (!readOccurrence(r, d.arena, o)) return std::nullopt;
    d.singles.push_back(o);
  }
  const std::size_t seriesCount = r.count(kMinOccurrenceBytes);
  d.series.reserve(seriesCount);
  for (std::size_t i = 0; i < seriesCount; ++i) {
    Series s;
    if (!readOccurrence(r, d.arena, s.proto)) return std::nullopt;
    const auto owned = r.num<std::uint32_t>();
    const std::string_view name = r.str();
    if (owned > d.zones.size()) return std::nullopt;
    s.zone = owned ? d.zones[owned - 1].get() : TimeZone::locate(name);
    if (s.zone == nullptr) return std::nullopt;
    const auto flags = r.num<std::uint8_t>();
    s.allDay = flags & 1;
    s.floating = flags & 2;
    s.length.wallClock = flags & 4;
    s.dtstart = LocalSeconds{seconds{r.secs()}};
    s.length.days = r.num<std::int32_t>();
    s.length.exact = seconds{r.secs()};
    const std::string_view rules = r.str();
    if (!r.ok() || s.length.days < 0 || s.length.days > Reader::kSpan / 86400 ||
        s.length.exact.count() < 0)
      return std::nullopt;
    // Never hand libical a rule the ingest would not have.
    if (anyRrule(rules, [](std::string_view rule) { return !validRrule(rule); }))
      return std::nullopt;
    s.rrules = d.arena.intern(rules);
    const std::size_t rdates = r.count(17);
    for (std::size_t k = 0; k < rdates; ++k) {
      RDate rd;
      rd.key = r.instant();
      rd.hasEnd = r.num<std::uint8_t>() != 0;
      rd.end = r.instant();
      s.rdates.push_back(rd);
    }
    const std::size_t excludes = r.count(8);
    for (std::size_t k = 0; k < excludes; ++k) s.exclude.push_back(r.instant());
    if (!std::is_sorted(s.exclude.begin(), s.exclude.end())) return std::nullopt;
    const std::size_t excludeDays = r.count(8);
    for (std::size_t k = 0; k < excludeDays; ++k) s.excludeDays.push_back(r.date());
    s.notBefore = r.bound();
    s.notAfter = r.bound();
    s.shift = seconds{r.secs()};
    if (!r.ok()) return std::nullopt;
    d.series.push_back(std::move(s));
  }
  const std::size_t leftOutCount = r.count(kTallyEntryBytes);
  std::vector<ScreenTally::Entry> leftOut(leftOutCount);
  for (ScreenTally::Entry& e : leftOut) {
    e.first = r.num<std::int32_t>();
    e.second = r.num<std::int32_t>();
    const auto bits = r.num<std::uint8_t>();
    e.kind = std::uint8_t(bits & 15);
    e.free = (bits >> 4) != 0;
    e.count = r.num<std::uint32_t>();
    const bool dates = e.kind == ScreenTally::kAllDay;
    if (e.kind >= ScreenTally::kKinds || (bits >> 4) > 1 || e.count == 0 ||
        (dates ? e.first >= e.second : e.second != 0))
      return std::nullopt;
  }
  d.leftOut.assign(std::move(leftOut));
  if (!r.atEnd()) return std::nullopt;
  return store;
}

}  // namespace cb::ics
