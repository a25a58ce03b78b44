// TZID resolution and the embedded Windows/CLDR zone table.
#include "ics/zones.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "ics/syntax.hpp"

namespace cb::ics {

extern const char kWindowsZonesTsv[];

namespace {

struct WindowsZone {
  std::string_view windowsId;
  std::string_view iana;
  std::string_view display;
  std::string_view offset;          // "+01:00" from the display name, empty for "(UTC)"
  std::vector<std::string> cities;  // lower-case, from the display name
};

// Lower-case, "and" spelled "&" (both forms appear in Outlook display names).
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t at = out.find(" and "); at != std::string::npos; at = out.find(" and "))
    out.replace(at, 5, " & ");
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

// "(UTC+01:00) Amsterdam, Berlin" / "(GMT +01:00) Amsterdam" → offset "+01:00", rest.
void splitDisplay(std::string_view name, std::string& offset, std::string_view& rest) {
  name = trim(name);
  offset.clear();
  rest = name;
  if (name.empty() || name.front() != '(') return;
  const std::size_t close = name.find(')');
  if (close == std::string_view::npos) return;
  std::string_view inner = name.substr(1, close - 1);
  for (std::string_view prefix : {"UTC", "GMT"})
    if (inner.substr(0, 3) == prefix) inner.remove_prefix(3);
  for (char c : inner)
    if (c != ' ') offset += c;
  if (offset.size() == 3) offset += ":00";  // "(UTC+01)" → "+01:00"
  if (offset == "+00:00" || offset == "-00:00") offset.clear();
  rest = trim(name.substr(close + 1));
}

std::vector<std::string> cities(std::string_view rest) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= rest.size()) {
    std::size_t comma = rest.find(',', start);
    if (comma == std::string_view::npos) comma = rest.size();
    const std::string_view c = trim(rest.substr(start, comma - start));
    if (!c.empty()) out.push_back(lower(c));
    start = comma + 1;
  }
  return out;
}

const std::vector<WindowsZone>& table() {
  static const std::vector<WindowsZone> zones = [] {
    std::vector<WindowsZone> out;
    std::string_view text = kWindowsZonesTsv;
    while (!text.empty()) {
      std::size_t nl = text.find('\n');
      if (nl == std::string_view::npos) nl = text.size();
      const std::string_view line = text.substr(0, nl);
      text.remove_prefix(std::min(text.size(), nl + 1));
      if (line.empty() || line.front() == '#') continue;
      const std::size_t t1 = line.find('\t');
      const std::size_t t2 = line.find('\t', t1 + 1);
      if (t1 == std::string_view::npos || t2 == std::string_view::npos) continue;
      WindowsZone z;
      z.windowsId = line.substr(0, t1);
      z.iana = line.substr(t1 + 1, t2 - t1 - 1);
      z.display = line.substr(t2 + 1);
      std::string offset;
      std::string_view rest;
      splitDisplay(z.display, offset, rest);
      z.cities = cities(rest);
      const std::size_t paren = z.display.find(')');
      z.offset = offset.empty() ? std::string_view{} : z.display.substr(4, paren - 4);
      out.push_back(std::move(z));
    }
    return out;
  }();
  return zones;
}

}  // namespace

std::string_view windowsZoneToIana(std::string_view name) {
  name = trim(name);
  if (name.empty()) return {};
  for (const WindowsZone& z : table())
    if (iequals(z.windowsId, name) || iequals(z.display, name)) return z.iana;
  // Display names vary between Windows versions ("GMT" for "UTC", fewer or more
  // cities): pick the entry sharing most cities, with the same offset if given.
  std::string offset;
  std::string_view rest;
  splitDisplay(name, offset, rest);
  const std::vector<std::string> wanted = cities(rest);
  if (wanted.empty()) return {};
  std::string_view best;
  std::size_t bestScore = 0;
  for (const WindowsZone& z : table()) {
    if (!offset.empty() && z.offset != offset) continue;
    std::size_t score = 0;
    for (const std::string& c : wanted)
      if (std::find(z.cities.begin(), z.cities.end(), c) != z.cities.end()) ++score;
    if (score > bestScore) {
      bestScore = score;
      best = z.iana;
    }
  }
  return best;
}

void ZoneResolver::define(std::string tzid, std::string text) {
  // A TZID defined again (a second, maybe empty block) after events already use its zone keeps
  // that zone and its text: the snapshot stores the definition the records were read with.
  if (auto it = defined_.find(tzid); it != defined_.end() && it->second.zone) return;
  cache_.erase(tzid);
  Definition& d = defined_[std::move(tzid)];
  d.text = std::move(text);
  d.zone.reset();
  d.tried = false;
}

std::string_view ZoneResolver::definition(std::string_view tzid) const {
  auto it = defined_.find(tzid);
  return it == defined_.end() ? std::string_view{} : std::string_view(it->second.text);
}

const TimeZone* ZoneResolver::sole() {
  return defined_.size() == 1 ? resolve(defined_.begin()->first) : nullptr;
}

const TimeZone* ZoneResolver::resolve(std::string_view tzid) {
  if (auto it = cache_.find(tzid); it != cache_.end()) return it->second;
  const TimeZone* zone = TimeZone::locate(tzid);
  if (zone == nullptr && !tzid.empty() && tzid.front() == '/') {
    // "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin", "/mozilla.org/2005_1/Europe/Berlin",
    // "/Europe/Stockholm": the longest suffix that is an IANA name.
    for (std::size_t slash = 0; zone == nullptr && slash != std::string_view::npos;
         slash = tzid.find('/', slash + 1))
      zone = TimeZone::locate(tzid.substr(slash + 1));
  }
  if (zone == nullptr) {
    // Windows zone IDs map to IANA zones directly.
    for (const WindowsZone& z : table())
      if (iequals(z.windowsId, trim(tzid))) {
        zone = TimeZone::locate(z.iana);
        break;
      }
  }
  if (zone == nullptr) {
    if (auto it = defined_.find(tzid); it != defined_.end()) {
      Definition& d = it->second;
      if (!d.tried) {
        d.tried = true;
        d.zone = TimeZone::fromVtimezone(d.text, tzid);
        if (d.zone) owned_.push_back(d.zone);
      }
      zone = d.zone.get();
    }
  }
  if (zone == nullptr) {
    if (std::string_view iana = windowsZoneToIana(tzid); !iana.empty())
      zone = TimeZone::locate(iana);
  }
  if (cache_.size() < 4096) cache_.emplace(std::string(tzid), zone);
  return zone;
}

}  // namespace cb::ics
