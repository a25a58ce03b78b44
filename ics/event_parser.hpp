// The event parser: one VEVENT's lines (as the line filter kept them) into a plain event,
// a recurring series or an override.
#pragma once

#include <string>
#include <string_view>

#include "ics/event_props.hpp"
#include "ics/ingest_records.hpp"
#include "ics/reader.hpp"
#include "ics/syntax.hpp"
#include "ics/zones.hpp"

namespace cb::ics {

// A VEVENT's kept lines: each one a byte for the Prop kEventProps gave it, the line, '\n'.
// The byte is a letter, never '\n'.
inline constexpr char kPropTagBase = 'A';
inline void appendEventLine(ByteBuffer& text, Prop prop, std::string_view line) {
  text.appendLine(char(kPropTagBase + int(prop)), line);
}

class EventParser {
 public:
  EventParser(const IngestOptions& options, ZoneResolver& zones, Reporter& report,
              EventStore::Data& data, Records& records)
      : options_(options),
        window_(options.keptWindow()),
        zones_(zones),
        report_(report),
        data_(data),
        records_(records) {}

  enum class Outcome : std::uint8_t {
    Done,      // stored, dropped or skipped (and reported)
    Deferred,  // names a TZID not defined yet: parse again with final once all are known
  };
  // `calendarZone` is the X-WR-TIMEZONE in force; `final` is set for the last attempt.
  Outcome parse(std::string_view text, const TimeZone* calendarZone, bool final);

  // One of the owner's addresses ends the line, after its last ':' (an owner's has none).
  // A plain loop: it runs on every ATTENDEE line, and the ':' test rejects nearly all.
  [[nodiscard, gnu::always_inline]] bool endsWithOwner(std::string_view l) const {
    for (const std::string& owner : options_.ownerEmails) {
      const std::size_t n = owner.size();
      if (l.size() > n && l[l.size() - n - 1] == ':' && iequals(l.substr(l.size() - n), owner))
        return true;
    }
    return false;
  }

 private:
  struct TimeProp {
    RawTime raw;
    std::string_view tzid;
    bool present = false;
  };
  bool timeProp(const ContentLine& cl, TimeProp& out, std::string_view what);
  [[nodiscard]] bool isOwner(std::string_view addr) const;
  void fillSingle(Occurrence& o, bool allDay, LocalSeconds localStart, Instant start, Instant end,
                  const Span& length) const;
  bool addDates(Series& s, const ContentLine& cl, bool isRdate, const TimeZone* calendarZone);

  const IngestOptions& options_;
  std::optional<TimeWindow> window_;  // events wholly outside are dropped
  ZoneResolver& zones_;
  Reporter& report_;
  EventStore::Data& data_;
  Records& records_;
  std::uint32_t order_ = 0;
  std::string text1_, text2_, text3_;  // scratch for unescaping
};

}  // namespace cb::ics
