// The tally of what the screen budget left out, and the queries the screens count with.
#include "ics/screen_tally.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <tuple>

namespace cb::ics {
namespace {

using std::chrono::days;
using std::chrono::minutes;

// Clamped: an event running from year 1 to 9999 counts as running from and until far away.
std::int32_t narrow(std::int64_t v) {
  return std::int32_t(std::clamp<std::int64_t>(v, INT32_MIN, INT32_MAX));
}
std::int32_t minuteOf(Instant t) {
  return narrow(std::chrono::floor<minutes>(t).time_since_epoch().count());
}
std::int32_t minuteUp(Instant t) {
  return narrow(std::chrono::ceil<minutes>(t).time_since_epoch().count());
}
std::int32_t dayOf(Date d) {
  return narrow(d.time_since_epoch().count());
}
auto key(const ScreenTally::Entry& e) {
  return std::tie(e.kind, e.first, e.second, e.free);
}

}  // namespace

bool hasCancelPrefix(std::string_view summary) {
  while (!summary.empty() && std::isspace(static_cast<unsigned char>(summary.front())))
    summary.remove_prefix(1);
  static constexpr std::array<std::string_view, 6> kPrefixes = {
      "canceled:", "cancelled:", "abgesagt:", "annulé:", "annulé :", "cancelado:"};
  for (std::string_view prefix : kPrefixes) {
    if (summary.size() < prefix.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < prefix.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(summary[i])) ==
             static_cast<unsigned char>(prefix[i]);
    if (same) return true;
  }
  return false;
}

void ScreenTally::add(const Occurrence& o, Instant now) {
  if (o.status == Status::Cancelled || o.response == Response::Declined ||
      hasCancelPrefix(o.summary))
    return;
  Entry e;
  e.count = 1;
  e.free = o.busy == BusyStatus::Free;
  if (o.allDay) {
    e.kind = kAllDay;
    e.first = dayOf(o.startDate);
    e.second = dayOf(std::max(o.endDate, o.startDate + days{1}));
  } else if (o.start > now) {
    e.kind = kStarts;
    e.first = minuteOf(o.start);
  } else {
    e.kind = kRunning;
    e.first = minuteUp(o.end);
  }
  entries_.push_back(e);
  // Merged whenever the unmerged tail is as long as the merged part: amortised, and never
  // more than twice the distinct keys held.
  if (entries_.size() >= 2 * std::max<std::size_t>(compacted_, 512)) compact();
}

void ScreenTally::compact() {
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return key(a) < key(b); });
  std::size_t out = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (out > 0 && key(entries_[out - 1]) == key(entries_[i])) {
      entries_[out - 1].count += entries_[i].count;
      continue;
    }
    entries_[out++] = entries_[i];
  }
  entries_.resize(out);
  entries_.shrink_to_fit();
  compacted_ = out;
}

std::uint64_t ScreenTally::rows(Instant now, Instant to, bool hideFree) const {
  std::uint64_t n = 0;
  for (const Entry& e : entries_) {
    if (hideFree && e.free) continue;
    const Instant at{minutes{e.first}};
    if ((e.kind == kStarts && at >= now && at < to) || (e.kind == kRunning && at > now))
      n += e.count;
  }
  return n;
}

std::uint64_t ScreenTally::allDayStarting(Date day) const {
  std::uint64_t n = 0;
  for (const Entry& e : entries_)
    if (e.kind == kAllDay && e.first == dayOf(day)) n += e.count;
  return n;
}

std::uint64_t ScreenTally::allDayCovering(Date day) const {
  std::uint64_t n = 0;
  for (const Entry& e : entries_)
    if (e.kind == kAllDay && e.first <= dayOf(day) && dayOf(day) < e.second) n += e.count;
  return n;
}

std::uint64_t ScreenTally::total() const {
  std::uint64_t n = 0;
  for (const Entry& e : entries_) n += e.count;
  return n;
}

}  // namespace cb::ics
