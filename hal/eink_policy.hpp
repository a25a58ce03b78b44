// RefreshPolicy: when an e-ink panel gets a full refresh, a partial one, none at all,
// or has to wait (pacing for the panel's life).
#pragma once

#include <chrono>
#include <deque>

#include "hal/image.hpp"

namespace cb::hal {

struct RefreshDecision {
  enum class Kind { Skip, Partial, Full, Deferred } kind = Kind::Skip;
  Region window;            // Partial: the byte-aligned panel window
  const char* reason = "";  // for the debug log
};

// The [display] keys that pace an e-ink panel (README "E-ink refresh policy").
struct RefreshRules {
  bool partialAllowed = true;                 // partial_refresh, and the model can
  int fullEveryPartials = 20;                 // full_every_partials (0: never partial)
  std::chrono::seconds fullEvery{24 * 3600};  // full_every_hours (0: no limit)
  std::chrono::seconds minInterval{50};       // min_refresh_s: between any two refreshes
  std::chrono::seconds minFullInterval{180};  // min_full_refresh_s: between full refreshes
  int maxPerDay = 0;                          // max_refreshes_per_day in any 24 h (0: no cap)
};

// Full refreshes flash the panel but clear ghosting; partial ones are quick and
// quiet but leave a faint residue that accumulates. The policy:
//   - the first frame, and after forceFull(): full;
//   - nothing changed on the panel: skip (but a full refresh when partials are
//     pending and the fullEvery limit has passed);
//   - a model without partial refresh, or partials disabled: full;
//   - after `fullEveryPartials` partial refreshes: full;
//   - when the last full refresh is `fullEvery` old: full;
//   - else partial refresh of the changed window;
// and whatever was chosen waits (Deferred) while the last refresh is younger than
// minInterval, the last full one younger than minFullInterval (a full refresh), or
// maxPerDay refreshes happened in the last 24 hours. A deferred frame is offered
// again by the caller; the decision is then made afresh.
class RefreshPolicy {
 public:
  explicit RefreshPolicy(const RefreshRules& rules) : rules_(rules) {}

  // `changed`: the panel window that differs (empty: nothing).
  [[nodiscard]] RefreshDecision decide(const Region& changed, std::chrono::nanoseconds now) const;
  // A refresh of kind d.kind started at `started`; `ok` false when it failed (it still
  // counts for pacing: the panel may have flashed).
  void done(const RefreshDecision& d, std::chrono::nanoseconds started, bool ok = true);
  void forceFull() { haveFull_ = false; }
  [[nodiscard]] int partialsSinceFull() const { return partials_; }
  [[nodiscard]] const RefreshRules& rules() const { return rules_; }

 private:
  [[nodiscard]] RefreshDecision want(const Region& changed, std::chrono::nanoseconds now) const;
  [[nodiscard]] bool overdue(std::chrono::nanoseconds now) const {
    return rules_.fullEvery.count() > 0 && now - lastFull_ >= rules_.fullEvery;
  }

  RefreshRules rules_;
  bool haveFull_ = false;
  bool anyRefresh_ = false, anyFull_ = false;
  std::chrono::nanoseconds lastFull_{}, lastAny_{};
  std::deque<std::chrono::nanoseconds> today_;  // refresh starts within the last 24 h
  int partials_ = 0;
};

}  // namespace cb::hal
