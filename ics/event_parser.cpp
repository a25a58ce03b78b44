// The event parser: a VEVENT's kept lines → a plain event, a recurring series or an override.
#include "ics/event_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <utility>
#include <vector>

namespace cb::ics {

using namespace std::chrono;

bool EventParser::isOwner(std::string_view addr) const {
  return std::any_of(options_.ownerEmails.begin(), options_.ownerEmails.end(),
                     [&](const std::string& owner) { return iequals(addr, owner); });
}

bool EventParser::timeProp(const ContentLine& cl, TimeProp& out, std::string_view what) {
  if (out.present) {
    // A second DTSTART (or DTEND...) makes the event ambiguous.
    report_.skip(fmt::format("VEVENT with two {} lines skipped", what));
    return false;
  }
  // The value's own form decides (VALUE=DATE on a DATE-TIME is a common slip).
  const std::optional<RawTime> t = parseRawTime(cl.value);
  if (!t) {
    report_.skip(fmt::format("VEVENT with unreadable {} \"{}\" skipped", what, cl.value));
    return false;
  }
  out.raw = *t;
  out.tzid = param(cl.params, "TZID");
  out.present = true;
  return true;
}

EventParser::Outcome EventParser::parse(std::string_view text, const TimeZone* calendarZone,
                                        bool final) {
  constexpr Outcome kDone = Outcome::Done;
  if (records_.count() >= options_.limits.maxEventsPerFeed) {
    report_.skip(fmt::format("more than {} events in the feed: VEVENT skipped",
                             options_.limits.maxEventsPerFeed));
    return kDone;
  }
  const TimeZone* const xwr = calendarZone;
  const TimeZone& display = *options_.displayZone;
  Occurrence o;
  o.source = options_.source;
  TimeProp start, end, rid;
  std::optional<Span> duration;
  std::string_view uid, summary, location, statusText, rridRange;
  std::string rrules;
  std::vector<std::pair<ContentLine, bool>> lists;  // RDATE (true) / EXDATE (false)
  Meta meta;
  bool busyFromMs = false;

  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const Prop prop = Prop(text[pos] - kPropTagBase);  // what kEventProps made of the line
    const ContentLine cl = splitLine(text.substr(pos + 1, nl - pos - 1));
    pos = nl + 1;
    switch (prop) {
      case Prop::Attendee: {
        std::string_view addr = cl.value;
        if (addr.size() > 7 && iequals(addr.substr(0, 7), "mailto:")) addr.remove_prefix(7);
        if (isOwner(addr)) o.response = parsePartstat(param(cl.params, "PARTSTAT"));
        break;
      }
      case Prop::Class:
        if (iequals(cl.value, "PRIVATE"))
          o.privacy = Privacy::Private;
        else if (iequals(cl.value, "CONFIDENTIAL"))
          o.privacy = Privacy::Confidential;
        break;
      case Prop::Dtstart:
        if (!timeProp(cl, start, "DTSTART")) return kDone;
        break;
      case Prop::Dtend:
        if (!timeProp(cl, end, "DTEND")) return kDone;
        break;
      case Prop::Duration:
        duration = parseDuration(cl.value);
        if (!duration) {
          report_.skip(fmt::format("VEVENT with unreadable DURATION \"{}\" skipped", cl.value));
          return kDone;
        }
        break;
      case Prop::Exdate:
        lists.emplace_back(cl, false);
        break;
      case Prop::Location:
        location = cl.value;
        break;
      case Prop::Rrule: {
        std::string rule = cleanRrule(cl.value);
        if (rule.empty()) {
          report_.warning(fmt::format("empty RRULE ignored (UID {})", uid));
          break;
        }
        if (!validRrule(rule)) {
          // Keep the event: DTSTART is still an instance.
          report_.warning(fmt::format("unreadable RRULE \"{}\" ignored", cl.value));
          break;
        }
        if (sizeof(time_t) < 8 && expandedByLibical(rule))
          report_.warning(fmt::format(
              "RRULE \"{}\" (UID {}): instances only through 2037 here (a 32-bit time_t system, "
              "where libical expands this rule's shape)",
              cl.value, uid));
        // The same rule twice is one rule; distinct rules (RFC 2445) are a union.
        if (!anyRrule(rrules, [&](std::string_view have) { return have == rule; })) {
          if (!rrules.empty()) rrules += '\n';
          rrules.append(rule);
        }
        break;
      }
      case Prop::Rdate:
        lists.emplace_back(cl, true);
        break;
      case Prop::RecurrenceId:
        if (!timeProp(cl, rid, "RECURRENCE-ID")) return kDone;
        rridRange = param(cl.params, "RANGE");
        break;
      case Prop::Summary:
        summary = cl.value;
        break;
      case Prop::Status:
        statusText = cl.value;
        o.status = parseStatus(cl.value);
        break;
      case Prop::Sequence: {
        std::int64_t seq = 0;
        auto [p, ec] = std::from_chars(cl.value.data(), cl.value.data() + cl.value.size(), seq);
        if (ec == std::errc{}) {
          meta.sequence = seq;
          meta.hasSequence = true;
        }
        break;
      }
      case Prop::Transp:
        if (!busyFromMs)
          o.busy = iequals(cl.value, "TRANSPARENT") ? BusyStatus::Free : BusyStatus::Busy;
        break;
      case Prop::Uid:
        uid = cl.value;
        break;
      case Prop::MsBusyStatus:
        busyFromMs = true;
        if (iequals(cl.value, "FREE"))
          o.busy = BusyStatus::Free;
        else if (iequals(cl.value, "TENTATIVE"))
          o.busy = BusyStatus::Tentative;
        else if (iequals(cl.value, "OOF") || iequals(cl.value, "WORKINGELSEWHERE"))
          o.busy = BusyStatus::OutOfOffice;
        else
          o.busy = BusyStatus::Busy;
        break;
      case Prop::None:
        break;
    }
  }
  if (!start.present) {
    report_.skip(fmt::format("VEVENT \"{}\" without DTSTART skipped", summary));
    return kDone;
  }

  // Zones. A TZID defined by a VTIMEZONE later in the stream: retry at finish().
  bool unresolved = false;
  auto zoneOf = [&](const TimeProp& t, bool recurring) -> const TimeZone* {
    if (t.raw.kind == RawTime::Utc) return (recurring && xwr) ? xwr : &TimeZone::utc();
    if (!t.tzid.empty()) {
      if (const TimeZone* z = zones_.resolve(t.tzid)) return z;
      unresolved = true;
    }
    return xwr ? xwr : &display;
  };
  const bool recurring =
      !rrules.empty() || std::any_of(lists.begin(), lists.end(), [](auto& p) { return p.second; });
  const TimeZone* zone = zoneOf(start, recurring && !rid.present);
  if (unresolved && !final) return Outcome::Deferred;
  if (unresolved)
    report_.warning(fmt::format("unknown TZID \"{}\": taken as floating time", start.tzid));
  // DTSTART without a zone (or with one we do not know): wall clock wherever it is shown.
  const bool floating = start.raw.kind == RawTime::Local && (start.tzid.empty() || unresolved);

  // All-day means a DATE DTSTART; with a DATE-TIME DTEND the event is taken as
  // timed from midnight (what the reference does; RFC 5545 3.8.2.2 wants equal types).
  const bool allDay =
      start.raw.kind == RawTime::Date && !(end.present && end.raw.kind != RawTime::Date);
  // An all-day series' zone only names the day a DATE-TIME UNTIL falls on: the calendar's
  // zone. Without X-WR-TIMEZONE that is the feed's VTIMEZONE when it defines exactly one
  // (Outlook writes its own zone's definition first); with several, which one the producer
  // meant is unknown and the display zone stands.
  if (allDay && recurring && xwr == nullptr)
    if (const TimeZone* own = zones_.sole()) zone = own;
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
  } else if (end.present && floating && end.raw.kind == RawTime::Local && end.tzid.empty()) {
    // Floating times are the same wall clock in any zone (RFC 5545 3.3.5): the length is
    // wall-clock time, placed in the zone only at the end, so that an instance across a clock
    // change (even 22:00 to 06:00 over that night) ends at the wall-clock time the producer
    // wrote.
    const seconds wall = duration_cast<seconds>(end.raw.value - start.raw.value);
    length.days = std::int32_t(floor<days>(wall).count());
    length.exact = wall - floor<days>(wall);
    length.wallClock = true;
    if (wall.count() < 0) length.days = -1;  // reported below
  } else if (end.present) {
    // A DTEND without zone next to a zoned DTSTART (RFC 5545 3.8.2.2 wants both or neither)
    // is a wall-clock time in DTSTART's zone.
    const bool floatingEnd = end.raw.kind != RawTime::Utc && end.tzid.empty();
    const Instant e = floatingEnd ? zone->toInstant(end.raw.value) : instantOf(end);
    length.exact = duration_cast<seconds>(e - zone->toInstant(localStart));
  } else if (duration) {
    length = *duration;
  }
  if (length.days < 0 || length.exact.count() < 0) {
    report_.skip(fmt::format("VEVENT \"{}\" ends before it starts: skipped", summary));
    return kDone;
  }

  const Instant startInstant = zone->toInstant(localStart);
  auto endInstant = [&](LocalSeconds local, Instant s) { return endOf(*zone, length, local, s); };

  // A plain event outside the window is dropped before its text costs anything.
  Occurrence single;
  if (!rid.present && !recurring) {
    fillSingle(single, allDay, localStart, startInstant, endInstant(localStart, startInstant),
               length);
    if (window_ && (single.end < window_->from || single.start > window_->to)) {
      ++report_.stats().dropped;
      return kDone;
    }
  }

  // Text, interned.
  Arena& arena = data_.arena;
  const std::size_t limit = options_.limits.maxTextBytes;
  unescapeText(summary, text1_, limit);
  makeUtf8(text1_, limit);
  o.summary = arena.intern(text1_);
  unescapeText(location, text2_, limit);
  makeUtf8(text2_, limit);
  o.location = arena.intern(text2_);
  if (validUtf8(statusText)) {
    o.statusText = arena.intern(statusText);
  } else {
    std::string status(statusText);
    makeUtf8(status, limit);
    o.statusText = arena.intern(status);
  }
  unescapeText(uid, text3_, 4096);
  makeUtf8(text3_, 4096);
  meta.uidHash = textHash(text3_);
  meta.hasUid = !uid.empty();
  meta.order = order_++;
  o.uidHash = meta.uidHash;
  // A series keeps its UID: a warning about its expansion names it.
  if (options_.keepUids || recurring) o.uid = arena.intern(text3_);

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
    records_.overrides.push_back(std::move(ov));
    return kDone;
  }

  if (!recurring) {
    const Occurrence times = single;
    single = o;
    fillSingle(single, allDay, localStart, times.start, times.end, length);
    data_.singles.push_back(single);
    records_.singleMeta.push_back(meta);
    return kDone;
  }

  Series s;
  s.proto = o;
  s.zone = zone;
  s.floating = floating;
  s.allDay = allDay;
  s.dtstart = allDay ? LocalSeconds{floor<days>(start.raw.value)} : localStart;
  s.length = length;
  s.rrules = arena.intern(rrules);
  for (const auto& [cl, isRdate] : lists) {
    if (!addDates(s, cl, isRdate, xwr)) return kDone;
  }
  std::sort(s.exclude.begin(), s.exclude.end());
  data_.series.push_back(std::move(s));
  records_.seriesMeta.push_back(meta);
  return kDone;
}

void EventParser::fillSingle(Occurrence& o, bool allDay, LocalSeconds localStart, Instant start,
                             Instant end, const Span& length) const {
  const TimeZone& display = *options_.displayZone;
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
bool EventParser::addDates(Series& s, const ContentLine& cl, bool isRdate, const TimeZone* xwr) {
  const TimeZone& display = *options_.displayZone;
  const std::string_view listZone = param(cl.params, "TZID");
  const TimeZone* z = nullptr;
  if (!listZone.empty()) z = zones_.resolve(listZone);
  if (z == nullptr) z = xwr ? xwr : &display;
  const bool period = iequals(param(cl.params, "VALUE"), "PERIOD");
  std::string_view rest = cl.value;
  if (rest.empty()) {
    report_.skip(fmt::format("VEVENT with an empty {} skipped", isRdate ? "RDATE" : "EXDATE"));
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
      report_.skip(fmt::format("VEVENT with a bad PERIOD \"{}\" skipped", cl.value));
      return false;
    }
    const std::optional<RawTime> t = parseRawTime(v);
    if (!t) {
      report_.skip(fmt::format("VEVENT with unreadable {} \"{}\" skipped",
                               isRdate ? "RDATE" : "EXDATE", cl.value));
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
      key = s.allDay ? Instant{floor<days>(t->kind == RawTime::Utc ? display.toLocal(at) : t->value)
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
        r.end =
            e->kind == RawTime::Utc ? Instant{e->value.time_since_epoch()} : z->toInstant(e->value);
      } else if (std::optional<Span> d = parseDuration(periodEnd)) {
        r.hasEnd = true;
        r.end = key + d->exact + days{d->days};
      } else {
        report_.skip(fmt::format("VEVENT with a bad PERIOD \"{}\" skipped", cl.value));
        return false;
      }
      if (r.end < r.key) {
        report_.skip(fmt::format("VEVENT with a PERIOD ending before it starts skipped"));
        return false;
      }
    }
    s.rdates.push_back(r);
  }
  return true;
}

}  // namespace cb::ics
