// Private: libical's handles as unique_ptrs, the only place our code frees them.
#pragma once

#include "ics/ical_lib.hpp"

#include <cstdlib>
#include <memory>

namespace cb::ics {

struct IcalComponentFree {
  void operator()(icalcomponent* c) const noexcept { ical().icalcomponent_free(c); }
};
struct IcalRecurIteratorFree {
  void operator()(icalrecur_iterator* it) const noexcept { ical().icalrecur_iterator_free(it); }
};

using IcalComponentPtr = std::unique_ptr<icalcomponent, IcalComponentFree>;
using IcalRecurIteratorPtr = std::unique_ptr<icalrecur_iterator, IcalRecurIteratorFree>;
// icalrecurrencetype_from_string() strdup()s RSCALE; the caller owns it: frees it when the
// rule goes out of use (declare it after the rule, before any iterator over it).
struct RscaleOwner {
  explicit RscaleOwner(icalrecurrencetype* r) : rule(r) {}
  RscaleOwner(const RscaleOwner&) = delete;
  RscaleOwner& operator=(const RscaleOwner&) = delete;
  ~RscaleOwner() {
    std::free(rule->rscale);
    rule->rscale = nullptr;
  }

 private:
  icalrecurrencetype* rule;
};

// icaltimezone frees its component with it (icaltimezone_free(z, 1)): TimeZone::IcalZoneFree.

}  // namespace cb::ics
