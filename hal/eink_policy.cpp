// The refresh policy's decisions, in the order the header lists them.
#include "hal/eink_policy.hpp"

namespace cb::hal {

using Kind = RefreshDecision::Kind;
using std::chrono::hours;

RefreshDecision RefreshPolicy::want(const Region& changed, std::chrono::nanoseconds now) const {
  if (!haveFull_) return {Kind::Full, {}, "first frame or a full refresh was requested"};
  if (changed.empty()) {
    if (partials_ > 0 && overdue(now)) return {Kind::Full, {}, "clearing ghosting (time limit)"};
    return {Kind::Skip, {}, "unchanged"};
  }
  if (!rules_.partialAllowed) return {Kind::Full, {}, "partial refresh off or unsupported"};
  if (partials_ >= rules_.fullEveryPartials)
    return {Kind::Full, {}, "partial refresh count reached"};
  if (overdue(now)) return {Kind::Full, {}, "time limit since the last full refresh"};
  return {Kind::Partial, changed, "a region changed"};
}

RefreshDecision RefreshPolicy::decide(const Region& changed, std::chrono::nanoseconds now) const {
  RefreshDecision d = want(changed, now);
  if (d.kind == Kind::Skip) return d;
  if (anyRefresh_ && now - lastAny_ < rules_.minInterval)
    return {Kind::Deferred, {}, "minimum interval since the last refresh"};
  if (d.kind == Kind::Full && anyFull_ && now - lastFull_ < rules_.minFullInterval)
    return {Kind::Deferred, {}, "minimum interval since the last full refresh"};
  if (rules_.maxPerDay > 0) {
    int recent = 0;
    for (auto t : today_) recent += now - t < hours{24};
    if (recent >= rules_.maxPerDay) return {Kind::Deferred, {}, "daily refresh budget spent"};
  }
  return d;
}

void RefreshPolicy::done(const RefreshDecision& d, std::chrono::nanoseconds started, bool ok) {
  if (d.kind != Kind::Full && d.kind != Kind::Partial) return;
  anyRefresh_ = true;
  lastAny_ = started;
  if (rules_.maxPerDay > 0) {
    while (!today_.empty() && started - today_.front() >= hours{24}) today_.pop_front();
    today_.push_back(started);
  }
  if (d.kind == Kind::Full) {
    anyFull_ = true;
    lastFull_ = started;
  }
  if (!ok) {
    haveFull_ = false;
    return;
  }
  if (d.kind == Kind::Full) {
    haveFull_ = true;
    partials_ = 0;
  } else {
    ++partials_;
  }
}

}  // namespace cb::hal
