// E-ink countdown granularity (see eink_pacing.hpp).
#include "daemon/eink_pacing.hpp"

namespace cb::daemon {

using namespace std::chrono;

minutes countdownStep(seconds left) {
  if (left <= hours{1}) return minutes{1};
  if (left <= hours{3}) return minutes{5};
  if (left <= hours{12}) return minutes{15};
  return minutes{60};
}

bool einkRedrawDue(const layouts::Agenda& agenda, const ics::TimeZone& zone,
                   std::span<const layouts::SkipKey> skipped, ics::Instant last, ics::Instant now) {
  if (now <= last) return true;
  if (floor<days>(zone.toLocal(last)) != floor<days>(zone.toLocal(now))) return true;
  for (const layouts::AgendaItem& item : agenda.items) {
    if (item.allDay) continue;
    if ((item.start > last && item.start <= now) || (item.end > last && item.end <= now))
      return true;
  }
  const layouts::Focus f = layouts::focusAt(agenda, now, zone, skipped);
  if (f.served == nullptr) return true;
  const ics::Instant moment = f.servedRunning ? f.served->end : f.served->start;
  const seconds left = moment - now;
  const minutes step = countdownStep(left);
  // The minutes the countdown shows (rounded up, as the layouts do).
  const long shown = (left.count() + 59) / 60;
  return shown % step.count() == 0 || now - last >= step;
}

}  // namespace cb::daemon
