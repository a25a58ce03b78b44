// The VEVENT properties ingest reads: one table that drives both the line filter (which
// lines are copied at all) and the event parser (what each copied line is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ics/syntax.hpp"

namespace cb::ics {

enum class Prop : std::uint8_t {
  None,  // not read: the line filter skips it
  Attendee,
  Class,
  Dtstart,
  Dtend,
  Duration,
  Exdate,
  Location,
  Rrule,
  Rdate,
  RecurrenceId,
  Summary,
  Status,
  Sequence,
  Transp,
  Uid,
  MsBusyStatus,
};

struct PropName {
  std::string_view name;  // lower case
  Prop prop;
};

inline constexpr PropName kEventProps[] = {
    {"attendee", Prop::Attendee}, {"class", Prop::Class},
    {"dtstart", Prop::Dtstart},   {"dtend", Prop::Dtend},
    {"duration", Prop::Duration}, {"exdate", Prop::Exdate},
    {"location", Prop::Location}, {"rrule", Prop::Rrule},
    {"rdate", Prop::Rdate},       {"recurrence-id", Prop::RecurrenceId},
    {"summary", Prop::Summary},   {"status", Prop::Status},
    {"sequence", Prop::Sequence}, {"transp", Prop::Transp},
    {"uid", Prop::Uid},           {"x-microsoft-cdo-busystatus", Prop::MsBusyStatus},
};

struct Classified {
  Prop prop = Prop::None;
  bool maybe = false;  // None, but the line ends inside one of the names (folded there)
};

namespace detail {
// Unrolled at compile time: each entry costs a compare of the first letter with a constant
// and, on a hit, a compare of the name with a constant string.
template <std::size_t I>
[[gnu::always_inline]] inline Classified classifyFrom(std::string_view line, char letter,
                                                      bool maybe) {
  if constexpr (I == std::size(kEventProps)) {
    return {Prop::None, maybe};
  } else {
    constexpr PropName entry = kEventProps[I];
    static_assert(entry.name[0] >= 'a' && entry.name[0] <= 'z');
    if (letter == entry.name[0]) {
      const Match m = nameIs(line, entry.name);
      if (m == Match::Yes) return {entry.prop, false};
      maybe = maybe || m == Match::Maybe;
    }
    return classifyFrom<I + 1>(line, letter, maybe);
  }
}
}  // namespace detail

// What a content line (or its first physical line: non-empty) is, by kEventProps.
[[gnu::always_inline]] inline Classified classifyEventLine(std::string_view line) {
  return detail::classifyFrom<0>(line, char(line[0] | 0x20), false);
}

}  // namespace cb::ics
