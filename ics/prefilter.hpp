// The date pre-filter: whether a VEVENT is surely outside the ingest window, decided on
// its DTSTART/DTEND dates alone as its lines go by, before any real parsing.
#pragma once

#include <cstring>
#include <string_view>

#include "ics/event_props.hpp"
#include "ics/store.hpp"
#include "ics/syntax.hpp"

namespace cb::ics {

class DatePrefilter {
 public:
  explicit DatePrefilter(const IngestOptions& options) {
    if (const std::optional<TimeWindow> w = options.keptWindow()) {
      // Two days of slack each side for any zone.
      using std::chrono::days;
      active_ = true;
      first_ = yyyymmdd(Date{std::chrono::floor<days>(w->from)} - days{2});
      last_ = yyyymmdd(Date{std::chrono::floor<days>(w->to)} + days{2});
    }
  }

  // A VEVENT begins.
  void reset() {
    startDay_ = endDay_ = kNoDate;
    recurring_ = hasDuration_ = false;
  }

  // A line of the VEVENT that the event parser will read.
  [[gnu::always_inline]] void note(Prop prop, std::string_view line) {
    switch (prop) {
      case Prop::Dtstart:
        startDay_ = quickDate(line);
        break;
      case Prop::Dtend:
        endDay_ = quickDate(line);
        break;
      case Prop::Duration:
        hasDuration_ = true;
        break;
      case Prop::Rrule:
      case Prop::Rdate:
      case Prop::RecurrenceId:
        recurring_ = true;
        break;
      default:
        break;
    }
  }

  // True when the VEVENT is non-recurring and surely ends before the window or starts
  // after it; anything doubtful is left to the parser.
  [[nodiscard]] bool surelyOutside() const {
    if (!active_ || recurring_ || hasDuration_) return false;
    if (startDay_ <= kNoDate) return false;
    const int end = endDay_ == kNoDate ? startDay_ : endDay_;
    if (end == kBadDate || end < startDay_) return false;  // let the full parse report it
    return end < first_ || startDay_ > last_;
  }

 private:
  // Dates as yyyymmdd (which orders as dates do); kNoDate absent, kBadDate unreadable.
  static constexpr int kNoDate = 0, kBadDate = -1;

  // The date of a DTSTART/DTEND line: after its last ':'.
  static int quickDate(std::string_view l) {
    const void* colon = memrchr(l.data(), ':', l.size());
    if (colon == nullptr) return kBadDate;
    const int date =
        leadingDate(l.substr(std::size_t(static_cast<const char*>(colon) - l.data()) + 1));
    return date < 0 ? kBadDate : date;
  }

  bool active_ = false;
  int first_ = 0, last_ = 0;  // yyyymmdd bounds, slack included
  int startDay_ = kNoDate, endDay_ = kNoDate;
  bool recurring_ = false, hasDuration_ = false;
};

}  // namespace cb::ics
