// RefreshPolicy: when an e-ink panel gets a full refresh, a partial one, or none at all.
#pragma once

#include <chrono>

#include "hal/image.hpp"

namespace cb::hal {

struct RefreshDecision {
  enum class Kind { Skip, Partial, Full } kind = Kind::Skip;
  Region window;            // Partial: the byte-aligned panel window
  const char* reason = "";  // for the debug log
};

// Full refreshes flash the panel but clear ghosting; partial ones are quick and
// quiet but leave a faint residue that accumulates. The policy:
//   - the first frame, and after invalidate(): full;
//   - nothing changed on the panel: skip (but a full refresh when partials are
//     pending and the full-every-hours limit has passed);
//   - a model without partial refresh, or partials disabled: full;
//   - after `fullEveryPartials` partial refreshes (0: never partial): full;
//   - when the last full refresh is `fullEvery` old (0: no limit): full;
//   - else partial refresh of the changed window.
class RefreshPolicy {
 public:
  RefreshPolicy(bool partialAllowed, int fullEveryPartials, std::chrono::hours fullEvery)
      : partialAllowed_(partialAllowed),
        fullEveryPartials_(fullEveryPartials),
        fullEvery_(fullEvery) {}

  // `changed`: the panel window that differs (empty: nothing).
  [[nodiscard]] RefreshDecision decide(const Region& changed, std::chrono::nanoseconds now) const;
  void done(const RefreshDecision& d, std::chrono::nanoseconds now);
  void forceFull() { haveFull_ = false; }
  [[nodiscard]] int partialsSinceFull() const { return partials_; }

 private:
  [[nodiscard]] bool overdue(std::chrono::nanoseconds now) const {
    return fullEvery_.count() > 0 && now - lastFull_ >= fullEvery_;
  }

  bool partialAllowed_;
  int fullEveryPartials_;
  std::chrono::hours fullEvery_;
  bool haveFull_ = false;
  std::chrono::nanoseconds lastFull_{};
  int partials_ = 0;
};

}  // namespace cb::hal
