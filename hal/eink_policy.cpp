// The refresh policy's decisions, in the order the header lists them.
#include "hal/eink_policy.hpp"

namespace cb::hal {

using Kind = RefreshDecision::Kind;

RefreshDecision RefreshPolicy::decide(const Region& changed, std::chrono::nanoseconds now) const {
  if (!haveFull_) return {Kind::Full, {}, "first frame or a full refresh was requested"};
  if (changed.empty()) {
    if (partials_ > 0 && overdue(now)) return {Kind::Full, {}, "clearing ghosting (time limit)"};
    return {Kind::Skip, {}, "unchanged"};
  }
  if (!partialAllowed_) return {Kind::Full, {}, "partial refresh off or unsupported"};
  if (partials_ >= fullEveryPartials_) return {Kind::Full, {}, "partial refresh count reached"};
  if (overdue(now)) return {Kind::Full, {}, "time limit since the last full refresh"};
  return {Kind::Partial, changed, "a region changed"};
}

void RefreshPolicy::done(const RefreshDecision& d, std::chrono::nanoseconds now) {
  if (d.kind == Kind::Full) {
    haveFull_ = true;
    lastFull_ = now;
    partials_ = 0;
  } else if (d.kind == Kind::Partial) {
    ++partials_;
  }
}

}  // namespace cb::hal
