// The component stack of an ingest: which component each content line belongs to, the
// feed's VTIMEZONE definitions and its X-WR-TIMEZONE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ics/ingest_records.hpp"
#include "ics/reader.hpp"
#include "ics/zones.hpp"

namespace cb::ics {

class ComponentStack {
 public:
  ComponentStack(const Limits& limits, ZoneResolver& zones, Reporter& report)
      : limits_(limits), zones_(zones), report_(report) {}

  // What a BEGIN or END line did to the VEVENT being read.
  enum class Change : std::uint8_t { None, EventOpened, EventClosed };

  // A whole BEGIN:/END: line. A VEVENT that an outer END cuts short is reported skipped.
  Change begin(std::string_view line);
  Change end(std::string_view line);
  // The stream ended: true when a VEVENT was still open (it is reported skipped).
  bool finish();

  // Inside a VEVENT directly under VCALENDAR, and that VEVENT is the innermost component.
  [[nodiscard]] bool inEvent() const { return inEvent_; }

  // A line outside a VEVENT (not BEGIN/END), by its first physical line: kept only when
  // otherLine() reads it.
  [[nodiscard]] LineVerdict keepOther(std::string_view first) const;
  void otherLine(std::string_view line);

  // The calendar's X-WR-TIMEZONE, when it names a zone we know.
  [[nodiscard]] const TimeZone* calendarZone() const { return xwr_; }

 private:
  enum class Kind : std::uint8_t { Calendar, Event, Timezone, Other };

  void open(std::string_view name);
  void close(Kind kind, std::string_view name);
  void appendTz(std::string_view line);
  void track() { inEvent_ = eventOpen_ && !stack_.empty() && stack_.back() == Kind::Event; }

  const Limits& limits_;
  ZoneResolver& zones_;
  Reporter& report_;
  std::vector<Kind> stack_;
  bool eventOpen_ = false;  // a VEVENT directly under VCALENDAR is open
  bool inEvent_ = false;
  Change change_ = Change::None;  // set by open()/close() for begin()/end()
  bool tzActive_ = false;         // collecting a VTIMEZONE's text
  std::string tzText_;
  std::string tzid_;
  const TimeZone* xwr_ = nullptr;
};

}  // namespace cb::ics
