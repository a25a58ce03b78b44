// TZID resolution: IANA names, Windows zone IDs and display names, a file's own VTIMEZONEs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ics/time.hpp"

namespace cb::ics {

// The IANA zone for a Windows zone ID ("Pacific Standard Time") or an Outlook
// display name ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
// also the older "(GMT+01:00) ..." forms), from ics/data/windows_zones.tsv (CLDR
// windowsZones). Empty when it is neither.
[[nodiscard]] std::string_view windowsZoneToIana(std::string_view name);

// Resolves the TZIDs of one feed. Order: an IANA name (tzdata is authoritative,
// also for names with a libical/Mozilla prefix such as
// "/freeassociation.sourceforge.net/Europe/Berlin"), a Windows zone ID (Outlook's
// VTIMEZONE blocks only carry the current rule), the file's own VTIMEZONE, then
// an Outlook display name. Unknown TZIDs give nullptr: the caller takes the time
// as floating.
class ZoneResolver {
 public:
  // Remembers a VTIMEZONE block; it is handed to libical only when used.
  void define(std::string tzid, std::string text);
  [[nodiscard]] const TimeZone* resolve(std::string_view tzid);
  // The zone of the feed's only VTIMEZONE so far (nullptr when it defines none or several,
  // or that one is unknown): the producer's own zone, which names the day of a UTC UNTIL on
  // an all-day series when the feed has no X-WR-TIMEZONE.
  [[nodiscard]] const TimeZone* sole();
  // VTIMEZONE zones in use: a store that refers to them must keep them.
  [[nodiscard]] const std::vector<std::shared_ptr<const TimeZone>>& owned() const { return owned_; }
  // The VTIMEZONE text for a TZID (for snapshots), empty if none.
  [[nodiscard]] std::string_view definition(std::string_view tzid) const;

 private:
  struct Definition {
    std::string text;
    std::shared_ptr<const TimeZone> zone;
    bool tried = false;
  };
  std::map<std::string, Definition, std::less<>> defined_;
  std::map<std::string, const TimeZone*, std::less<>> cache_;
  std::vector<std::shared_ptr<const TimeZone>> owned_;
};

}  // namespace cb::ics
