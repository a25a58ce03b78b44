// Ingest: the line reader's callback target. It routes each content line to the component
// stack or to the VEVENT being read (through the property table), runs the date pre-filter
// and the event parser per VEVENT, and the merge at finish().
#include <fmt/format.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "ics/components.hpp"
#include "ics/event_parser.hpp"
#include "ics/event_props.hpp"
#include "ics/merge.hpp"
#include "ics/prefilter.hpp"
#include "ics/reader.hpp"
#include "ics/screen_budget.hpp"
#include "ics/store_data.hpp"
#include "ics/zones.hpp"

namespace cb::ics {

struct Ingest::State {
  IngestOptions options;
  EventStore store;
  Reporter report;
  ZoneResolver zones;
  Records records;
  ComponentStack components;
  DatePrefilter prefilter;
  EventParser parser;
  LineUnfolder unfolder;

  // The VEVENT being read.
  ByteBuffer event;            // its lines the parser reads (see appendEventLine())
  std::size_t eventBytes = 0;  // unfolded bytes of all its lines, read or not
  bool eventOverLimit = false;
  bool eventLineTooLong = false;

  std::optional<ScreenBudget> budget;  // a store for the screens (IngestOptions::now set)

  std::vector<std::string> deferred;  // VEVENTs naming a TZID not defined yet
  std::size_t deferredBytes = 0;

  // What keep() found the line to be; line() acts on it without reading the name again.
  enum class Route : std::uint8_t { Begin, End, Other, Event };
  Route route = Route::Other;
  Classified prop;  // Route::Event: the line's property

  State(IngestOptions o, WarningSink w)
      : options(std::move(o)),
        report(std::move(w), store.data_->stats),
        components(options.limits, zones, report),
        prefilter(options),
        parser(options, zones, report, *store.data_, records),
        unfolder(options.limits.maxLineBytes) {
    store.data_->display = options.displayZone;
    store.data_->maxOccurrencesPerSeries = options.limits.maxOccurrencesPerSeries;
    store.data_->maxStepsPerSeries = options.limits.maxExpansionStepsPerSeries;
    store.data_->maxStepsPerFeed = options.limits.maxExpansionStepsPerFeed;
    store.data_->maxOccurrencesPerWindow = options.limits.maxOccurrencesPerWindow;
    if (options.now)
      budget.emplace(*options.now, options.limits.screenEvents, store.data_->leftOut);
  }

  // ---- LineSink: keep() sees the first physical line of each content line and drops what
  // no later stage reads, so most of a feed is never copied.

  [[gnu::always_inline]] LineVerdict keep(std::string_view first) {
    const char c0 = char(first[0] | 0x20);
    if (c0 == 'b' && nameIs(first, "begin") == Match::Yes) {
      route = Route::Begin;
      return LineVerdict::Keep;
    }
    if (c0 == 'e' && nameIs(first, "end") == Match::Yes) {
      route = Route::End;
      return LineVerdict::Keep;
    }
    if (components.inEvent()) {
      if (eventOverLimit) return LineVerdict::Skip;
      prop = classifyEventLine(first);
      if (prop.prop == Prop::Attendee && options.ownerEmails.empty()) prop.prop = Prop::None;
      if (prop.prop == Prop::None && !prop.maybe) return LineVerdict::Skip;
      route = Route::Event;
      return prop.prop == Prop::Attendee ? LineVerdict::AskLast : LineVerdict::Keep;
    }
    route = Route::Other;
    return components.keepOther(first);
  }

  // An ATTENDEE by its last physical line: false only when it surely names somebody else
  // (a line too long to read is kept, so that its event is skipped however it was chunked).
  [[gnu::always_inline]] bool last(std::string_view piece, std::size_t bytes) const {
    if (bytes > options.limits.maxLineBytes) return true;
    for (const std::string& owner : options.ownerEmails)
      if (piece.size() <= owner.size()) return true;  // the address may begin on an earlier line
    return parser.endsWithOwner(piece);
  }

  [[gnu::always_inline]] void skipped(std::size_t bytes) {
    if (bytes > options.limits.maxLineBytes) ++store.data_->stats.longLines;
    if (components.inEvent()) countEventBytes(bytes);
  }

  [[gnu::always_inline]] void line(std::string_view l, std::size_t bytes) {
    if (route == Route::Event) {
      eventLine(l, bytes);
      return;
    }
    otherLine(l, bytes);
  }

  // ---- the VEVENT being read

  // The component limit counts every line of the VEVENT, read or not.
  void countEventBytes(std::size_t bytes) {
    eventBytes += bytes + 1;
    if (eventBytes > options.limits.maxComponentBytes) eventOverLimit = true;
  }

  void eventLine(std::string_view l, std::size_t bytes) {
    const bool tooLong = bytes > l.size();
    if (tooLong) ++store.data_->stats.longLines;
    countEventBytes(bytes);
    if (eventOverLimit) return;
    Prop p = prop.prop;
    if (p == Prop::None) {  // folded inside its name: the whole name is here now
      p = classifyEventLine(l).prop;
      if (p == Prop::None || (p == Prop::Attendee && options.ownerEmails.empty())) return;
    }
    if (tooLong) {  // a line we read, cut: the event cannot be read faithfully
      eventLineTooLong = true;
      return;
    }
    if (p == Prop::Attendee && !parser.endsWithOwner(l)) return;  // most are somebody else
    prefilter.note(p, l);
    appendEventLine(event, p, l);
  }

  void beginEvent() {
    event.clear();
    eventBytes = 0;
    eventOverLimit = eventLineTooLong = false;
    prefilter.reset();
  }

  void finishEvent() {
    if (eventOverLimit) {
      report.skip(
          fmt::format("VEVENT larger than {} bytes skipped", options.limits.maxComponentBytes));
      return;
    }
    if (eventLineTooLong) {
      report.skip(fmt::format("VEVENT with a line longer than {} bytes skipped",
                              options.limits.maxLineBytes));
      return;
    }
    if (prefilter.surelyOutside()) {
      ++store.data_->stats.dropped;
      return;
    }
    const std::string_view text = event.view();
    const bool mayDefer = deferredBytes + text.size() <= 16 * options.limits.maxComponentBytes;
    if (parser.parse(text, components.calendarZone(), !mayDefer) ==
        EventParser::Outcome::Deferred) {
      deferredBytes += text.size();
      deferred.emplace_back(text);
    }
    keepWithinBudget();
  }

  // Past twice the screen budget, back to it: the texts of what was left out go too.
  void keepWithinBudget() {
    if (!budget) return;
    EventStore::Data& d = *store.data_;
    const std::size_t before = d.singles.size();
    budget->maybePrune(d.singles, records.singleMeta, d.stats);
    if (d.singles.size() < before) compactTexts(d, records);
  }

  // ---- everything outside a VEVENT

  [[gnu::noinline]] void otherLine(std::string_view l, std::size_t bytes) {
    if (bytes > l.size()) ++store.data_->stats.longLines;
    switch (route) {
      case Route::Begin:
        if (components.begin(l) == ComponentStack::Change::EventOpened) beginEvent();
        return;
      case Route::End:
        if (components.end(l) == ComponentStack::Change::EventClosed) finishEvent();
        return;
      default:
        components.otherLine(l);
        return;
    }
  }

  void finish() {
    unfolder.finish(*this);
    (void)components.finish();
    // VEVENTs that named a VTIMEZONE defined further down.
    std::vector<std::string> later;
    later.swap(deferred);
    for (const std::string& text : later) (void)parser.parse(text, components.calendarZone(), true);
    EventStore::Data& d = *store.data_;
    if (budget) budget->finish(d.singles, records.singleMeta, d.stats);
    mergeRecords(d, records, options, report);
    if (budget) {
      budget->finishMerged(d.singles, d.stats);
      dropSeriesOutside(d, *options.keptWindow(), options.limits);
      settleLibicalSeries(d, *options.keptWindow(), options.limits);
      compactTexts(d, records);
      d.stats.events = d.singles.size() + d.series.size();
      if (d.stats.beyondBudget > 0)
        report.warning(fmt::format(
            "{} events beyond what the screens can show left out (the {} nearest to now kept)",
            d.stats.beyondBudget, options.limits.screenEvents));
    }
    d.zones = zones.owned();
    for (const auto& z : d.zones)
      d.zoneTexts.emplace_back(z->hasTable() ? std::string_view{} : zones.definition(z->name()));
  }
};

static_assert(LineSink<Ingest::State>);

Ingest::Ingest(IngestOptions options, WarningSink warn)
    : state_(std::make_unique<State>(std::move(options), std::move(warn))) {}

Ingest::~Ingest() = default;

void Ingest::feed(std::string_view bytes) {
  State& s = *state_;
  s.store.data_->stats.bytes += bytes.size();
  s.unfolder.feed(bytes, s);
}

EventStore Ingest::finish() {
  state_->finish();
  return std::move(state_->store);
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
  result.notCalendar = !result.store.stats().sawCalendar;
  if (result.notCalendar)
    result.error = fmt::format("{} is not an iCalendar file (no BEGIN:VCALENDAR)", path.string());
  return result;
}

}  // namespace cb::ics
