// The countdown rule (see focus.hpp) and the running, next and all-day picks around it.
#include "layouts/focus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace cb::layouts {
namespace {

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool isSkipped(const AgendaItem& item, std::span<const SkipKey> skipped) {
  return std::find(skipped.begin(), skipped.end(), skipKeyOf(item)) != skipped.end();
}

// The instant the person has to move for a candidate (rule 2).
ics::Instant moment(const AgendaItem& item, ics::Instant now) {
  return isRunning(item, now) ? item.end : item.start;
}

}  // namespace

bool isFocusTime(const AgendaItem& item) {
  const std::string t = lowerAscii(item.summary);
  static constexpr std::array<std::string_view, 4> kPrefixes = {"focus time", "focus block",
                                                                "fokuszeit", "deep work"};
  return std::any_of(kPrefixes.begin(), kPrefixes.end(),
                     [&](std::string_view p) { return t.starts_with(p); });
}

bool isLunch(const AgendaItem& item) {
  if (item.summary.size() > 20) return false;  // "Lunch & learn: Q3 roadmap" is business
  const std::string t = lowerAscii(item.summary);
  return t.find("lunch") != std::string::npos || t.find("mittag") != std::string::npos ||
         t.find("déjeuner") != std::string::npos;
}

bool isContext(const AgendaItem& item, ics::Instant now) {
  if (item.allDay) return true;
  if (item.busy == ics::BusyStatus::OutOfOffice || item.busy == ics::BusyStatus::Free) return true;
  if (isFocusTime(item)) return true;
  return isRunning(item, now) && item.end - item.start >= kLongBlock;
}

Focus focusAt(const Agenda& agenda, ics::Instant now, const ics::TimeZone& zone,
              std::span<const SkipKey> skipped) {
  Focus f;
  f.today = zone.dateOf(now);
  std::vector<const AgendaItem*> candidates;
  for (const AgendaItem& item : agenda.items) {
    if (item.allDay) {
      if (coversDate(item, f.today)) f.allDayToday.push_back(&item);
      continue;
    }
    const bool running = isRunning(item, now);
    if (!running && item.start <= now) {  // over
      if (!isContext(item, now) && zone.dateOf(item.start) == f.today) f.hadMeetingToday = true;
      continue;
    }
    if (isContext(item, now)) {
      if (running) f.runningContext.push_back(&item);
      continue;
    }
    if (isSkipped(item, skipped)) continue;
    candidates.push_back(&item);
  }
  // Rule 2: the earliest moment; a running meeting first at a tie.
  for (const AgendaItem* c : candidates) {
    if (f.served == nullptr) {
      f.served = c;
      continue;
    }
    const auto a = moment(*c, now), b = moment(*f.served, now);
    if (a < b || (a == b && isRunning(*c, now) && !isRunning(*f.served, now))) f.served = c;
  }
  // Rule 3: lunch yields to a business meeting starting within kLunchWindow of it.
  if (f.served && !isRunning(*f.served, now) && isLunch(*f.served)) {
    for (const AgendaItem* c : candidates) {
      if (isRunning(*c, now) || isLunch(*c)) continue;
      const auto gap =
          c->start > f.served->start ? c->start - f.served->start : f.served->start - c->start;
      if (gap <= kLunchWindow) {
        f.served = c;
        break;  // candidates are sorted by start: the earliest such meeting
      }
    }
  }
  if (f.served) {
    f.servedRunning = isRunning(*f.served, now);
    if (f.servedRunning) f.current = f.served;
  }
  for (const AgendaItem* c : candidates) {
    if (c == f.served) continue;
    if (isRunning(*c, now)) {
      f.alsoNow.push_back(c);
    } else {
      if (f.served && !f.servedRunning && c->start == f.served->start) f.sameStart.push_back(c);
      if (f.next == nullptr && c->start > now) f.next = c;
    }
  }
  std::stable_sort(f.runningContext.begin(), f.runningContext.end(),
                   [](const AgendaItem* a, const AgendaItem* b) { return a->end < b->end; });
  return f;
}

std::string restOfDayText(const Focus& f) {
  return f.hadMeetingToday || f.current || !f.alsoNow.empty() ? "No more meetings today"
                                                              : "No meetings today";
}

std::string nothingAheadText(const Agenda& agenda, ics::Instant now) {
  if (agenda.until <= now) return "No meetings ahead";
  const auto days = std::chrono::floor<std::chrono::days>(agenda.until - now).count();
  if (days <= 1) return "No meetings in the next 24 hours";
  return fmt::format("No meetings in the next {} days", days);
}

}  // namespace cb::layouts
