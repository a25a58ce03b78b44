// gen_feed: writes a deterministic, realistic Outlook/Exchange-style ICS feed of any size.
//
// usage: gen_feed --size-mb N [--seed S] --out FILE
//
// The same (size, seed) always gives the same bytes (own PRNG, integer arithmetic only).
// What it contains, in the proportions a large exported Office 365 calendar shows:
//  * CRLF line ends, lines folded at 75 octets (never inside a UTF-8 sequence);
//  * VTIMEZONE blocks for Windows zone names ("W. Europe Standard Time", "Pacific Standard
//    Time", ...), an Outlook display name ("(UTC+01:00) Amsterdam, Berlin, ..."), an IANA
//    name as Google writes it, and events in UTC;
//  * long escaped DESCRIPTIONs (Teams boilerplate), some X-ALT-DESC HTML, many ATTENDEEs with
//    PARTSTAT (the owner me@example.com among them), X-MICROSOFT-CDO-* properties, VALARMs;
//  * ~8 % recurring masters (DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL, COUNT or UNTIL, BYDAY),
//    some with EXDATEs and RECURRENCE-ID overrides (moved, retitled, cancelled);
//  * ~4 % cancelled meetings, ~7 % all-day events.
// Events start between 2.5 years before and half a year after kAnchor (2026-06-01 UTC), the
// instant bench_ingest uses as "now" by default.
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace {

using namespace std::chrono;

constexpr sys_days kAnchor = sys_days{year{2026} / June / 1};

// splitmix64: tiny, fast and fully specified, unlike std:: distributions.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int range(int lo, int hi) { return lo + int(next() % std::uint64_t(hi - lo + 1)); }
  // True with probability percent / 100.
  bool chance(int percent) { return int(next() % 100) < percent; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& a) {
    return a[next() % N];
  }

 private:
  std::uint64_t state_;
};

enum class DstRule { None, Eu, Us };

struct Zone {
  std::string_view tzid;
  int stdOffsetMin;
  int dstOffsetMin;
  DstRule rule;
  bool outlookStyle;  // 1601 DTSTART and yearly RRULEs, as Exchange writes them
  int weight;         // share of events, in percent
};

// The last entry (empty tzid) stands for UTC "Z" times.
constexpr std::array<Zone, 9> kZones = {{
    {"W. Europe Standard Time", 60, 120, DstRule::Eu, true, 40},
    {"GMT Standard Time", 0, 60, DstRule::Eu, true, 10},
    {"Pacific Standard Time", -480, -420, DstRule::Us, true, 10},
    {"Eastern Standard Time", -300, -240, DstRule::Us, true, 8},
    {"India Standard Time", 330, 330, DstRule::None, true, 4},
    {"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", 60, 120, DstRule::Eu, true, 6},
    {"Romance Standard Time", 60, 120, DstRule::Eu, true, 4},
    {"Europe/Berlin", 60, 120, DstRule::Eu, false, 8},
    {"", 0, 0, DstRule::None, false, 10},
}};

std::string offsetText(int minutes) {
  const char sign = minutes < 0 ? '-' : '+';
  const int m = minutes < 0 ? -minutes : minutes;
  return fmt::format("{}{:02}{:02}", sign, m / 60, m % 60);
}

sys_days nthWeekday(year y, month m, weekday wd, int n) {
  if (n > 0) return sys_days{y / m / wd[unsigned(n)]};
  return sys_days{y / m / wd[last]};
}

// UTC offset (minutes) of a wall-clock time in `z`; good enough for UNTIL values.
int offsetAt(const Zone& z, local_seconds t) {
  if (z.rule == DstRule::None) return z.stdOffsetMin;
  const year_month_day ymd{floor<days>(sys_seconds{t.time_since_epoch()})};
  const year y = ymd.year();
  sys_days begin, end;
  if (z.rule == DstRule::Eu) {
    begin = nthWeekday(y, March, Sunday, -1);
    end = nthWeekday(y, October, Sunday, -1);
  } else {
    begin = nthWeekday(y, March, Sunday, 2);
    end = nthWeekday(y, November, Sunday, 1);
  }
  const sys_seconds s{t.time_since_epoch()};
  const bool dst = s >= begin + hours{2} && s < end + hours{2};
  return dst ? z.dstOffsetMin : z.stdOffsetMin;
}

std::string stamp(local_seconds t) {
  const auto d = floor<days>(t);
  const year_month_day ymd{d};
  const hh_mm_ss hms{t - d};
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

std::string dateStamp(local_days d) {
  const year_month_day ymd{d};
  return fmt::format("{:04}{:02}{:02}", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()));
}

std::string utcStamp(local_seconds wall, const Zone& z) {
  return stamp(wall - minutes{offsetAt(z, wall)}) + "Z";
}

constexpr std::array<std::string_view, 24> kWords = {
    "review", "planning", "sync",     "budget",   "roadmap", "Q3",      "design",  "customer",
    "launch", "retro",    "hiring",   "security", "infra",   "release", "Zürich",  "Müller",
    "naïve",  "café",     "workshop", "1:1",      "Team",    "weekly",  "offsite", "会議"};
constexpr std::array<std::string_view, 12> kFirst = {"Anna", "Ben",   "Chloé", "David",
                                                     "Emma", "Farid", "Greta", "Hiro",
                                                     "Inès", "Jonas", "Kai",   "Lea"};
constexpr std::array<std::string_view, 12> kLast = {"Schmidt", "Meyer",  "Jansen", "O'Brien",
                                                    "Dubois",  "Rossi",  "Novak",  "Kim",
                                                    "Berg",    "Haddad", "Weiß",   "Smith"};
constexpr std::array<std::string_view, 6> kRooms = {"Room 4.12 (12)",
                                                    "Microsoft Teams Meeting",
                                                    "Conference Room Berlin\\, 3rd floor",
                                                    "Zoom",
                                                    "",
                                                    "Kantine; Gebäude B"};
constexpr std::array<std::string_view, 6> kPartstat = {"ACCEPTED", "ACCEPTED",     "TENTATIVE",
                                                       "DECLINED", "NEEDS-ACTION", "ACCEPTED"};
constexpr std::array<std::string_view, 7> kDays = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};

class Writer {
 public:
  explicit Writer(std::FILE* f) : file_(f) { buffer_.reserve(1 << 20); }
  ~Writer() { flush(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // One content line, folded at 75 octets (continuations start with a space).
  void line(std::string_view text) {
    std::size_t limit = 75;
    while (text.size() > limit) {
      std::size_t cut = limit;
      while (cut > 1 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      buffer_.append(text.substr(0, cut));
      buffer_.append("\r\n ");
      text.remove_prefix(cut);
      limit = 74;
    }
    buffer_.append(text);
    buffer_.append("\r\n");
    if (buffer_.size() > (1 << 20)) flush();
  }
  void flush() {
    written_ += buffer_.size();
    std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    buffer_.clear();
  }
  [[nodiscard]] std::uint64_t size() const { return written_ + buffer_.size(); }

 private:
  std::FILE* file_;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

void writeTimezone(Writer& w, const Zone& z) {
  w.line(fmt::format("BEGIN:VTIMEZONE"));
  w.line(fmt::format("TZID:{}", z.tzid));
  const bool hasDst = z.rule != DstRule::None;
  const std::string stdMonth = z.rule == DstRule::Eu ? "10" : "11";
  const std::string stdDay = z.rule == DstRule::Eu ? "-1SU" : "1SU";
  const std::string dstDay = z.rule == DstRule::Eu ? "-1SU" : "2SU";
  const std::string begin =
      z.outlookStyle ? "16010101" : (z.rule == DstRule::Eu ? "19701025" : "19701101");
  w.line("BEGIN:STANDARD");
  w.line(fmt::format("DTSTART:{}T{}", begin, hasDst ? "030000" : "000000"));
  w.line(fmt::format("TZOFFSETFROM:{}", offsetText(z.dstOffsetMin)));
  w.line(fmt::format("TZOFFSETTO:{}", offsetText(z.stdOffsetMin)));
  if (hasDst)
    w.line(fmt::format("RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY={};BYMONTH={}", stdDay, stdMonth));
  if (!z.outlookStyle) w.line("TZNAME:CET");
  w.line("END:STANDARD");
  if (hasDst) {
    const std::string dstBegin = z.outlookStyle ? "16010101" : "19700329";
    w.line("BEGIN:DAYLIGHT");
    w.line(fmt::format("DTSTART:{}T020000", dstBegin));
    w.line(fmt::format("TZOFFSETFROM:{}", offsetText(z.stdOffsetMin)));
    w.line(fmt::format("TZOFFSETTO:{}", offsetText(z.dstOffsetMin)));
    w.line(fmt::format("RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY={};BYMONTH={}", dstDay,
                       z.rule == DstRule::Eu ? "3" : "3"));
    if (!z.outlookStyle) w.line("TZNAME:CEST");
    w.line("END:DAYLIGHT");
  }
  w.line("END:VTIMEZONE");
}

class Generator {
 public:
  Generator(Writer& w, std::uint64_t seed) : w_(w), rng_(seed) {}

  void header() {
    w_.line("BEGIN:VCALENDAR");
    w_.line("METHOD:PUBLISH");
    w_.line("PRODID:Microsoft Exchange Server 2010");
    w_.line("VERSION:2.0");
    w_.line("X-WR-CALNAME:Calendar");
    for (const Zone& z : kZones)
      if (!z.tzid.empty()) writeTimezone(w_, z);
  }
  void footer() { w_.line("END:VCALENDAR"); }

  // One event, or a recurring master followed by its overrides.
  void event() {
    ++serial_;
    const Zone& zone = pickZone();
    Event e;
    e.uid =
        fmt::format("040000008200E00074C5B7101A82E00800000000{:016X}{:08X}", rng_.next(), serial_);
    e.zone = &zone;
    e.allDay = rng_.chance(7);
    const int dayOffset = rng_.range(-913, 183);
    e.day = local_days{(kAnchor + days{dayOffset}).time_since_epoch()};
    e.start = e.day + hours{rng_.range(7, 18)} + minutes{30 * rng_.range(0, 1)};
    e.length = minutes{15 * rng_.range(1, 8)};
    e.summary = title();
    e.cancelled = rng_.chance(4);
    e.recurring = !e.allDay && rng_.chance(9);
    writeEvent(e, nullptr);
    if (e.recurring && rng_.chance(30)) {
      const int overrides = rng_.range(1, 2);
      for (int i = 0; i < overrides; ++i) {
        Event o = e;
        o.recurrenceIndex = rng_.range(1, 4);
        o.cancelled = rng_.chance(25);
        if (rng_.chance(50)) o.moveMinutes = 60 * rng_.range(-2, 3);
        if (rng_.chance(40)) o.summary = "Moved: " + e.summary;
        writeEvent(o, &e);
      }
    }
  }

 private:
  struct Event {
    std::string uid;
    const Zone* zone = nullptr;
    bool allDay = false;
    local_days day{};
    local_seconds start{};
    minutes length{};
    std::string summary;
    bool cancelled = false;
    bool recurring = false;
    int recurrenceIndex = 0;  // overrides: which instance (in periods of the master's step)
    int moveMinutes = 0;
    std::string freq;
    int interval = 1;
  };

  const Zone& pickZone() {
    int r = rng_.range(0, 99);
    for (const Zone& z : kZones) {
      if (r < z.weight) return z;
      r -= z.weight;
    }
    return kZones.back();
  }

  std::string title() {
    std::string t;
    const int n = rng_.range(1, 5);
    for (int i = 0; i < n; ++i) {
      if (i) t += ' ';
      t += rng_.pick(kWords);
    }
    return t;
  }

  std::string person() { return fmt::format("{} {}", rng_.pick(kFirst), rng_.pick(kLast)); }
  std::string email(std::string_view name) {
    std::string out;
    for (char c : name) {
      if (c == ' ')
        out += '.';
      else if (c != '\'')
        out += char(c | 0x20);
    }
    return out + "@example.com";
  }

  std::string description(bool teams) {
    std::string d;
    const int paragraphs = teams ? rng_.range(1, 3) : rng_.range(0, 2);
    for (int p = 0; p < paragraphs; ++p) {
      const int words = rng_.range(10, 90);
      for (int i = 0; i < words; ++i) {
        d += rng_.pick(kWords);
        d += (i % 11 == 10) ? "\\, " : " ";
      }
      d += "\\n\\n";
    }
    if (teams) {
      d += "________________________________________________________________________________"
           "\\nMicrosoft Teams meeting\\nJoin on your computer\\, mobile app or room device\\n"
           "Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_";
      d += fmt::format("{:016x}{:016x}", rng_.next(), rng_.next());
      d += "%40thread.v2/0?context=%7b%22Tid%22%3a%22"
           "72f988bf-86f1-41af-91ab-2d7cd011db47%22%7d>\\nMeeting ID: ";
      d +=
          fmt::format("{} {} {}", rng_.range(100, 999), rng_.range(100, 999), rng_.range(100, 999));
      d += "\\nPasscode: ";
      d += fmt::format("{:06x}", rng_.next() & 0xFFFFFF);
      d += "\\nDownload Teams<https://www.microsoft.com/en-us/microsoft-teams/download-app> | "
           "Join on the web<https://www.microsoft.com/microsoft-teams/join-a-meeting>\\n"
           "Learn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams."
           "microsoft.com/meetingOptions/?organizerId=3f2a&tenantId=72f9&threadId=19_meeting>\\n"
           "________________________________________________________________________________"
           "\\n";
    }
    return d;
  }

  std::string when(const Event& e, local_seconds t, std::string_view name) const {
    if (e.zone->tzid.empty()) return fmt::format("{}:{}", name, utcStamp(t, *e.zone));
    // A parameter value with ':' ';' or ',' must be quoted (RFC 5545 3.2), as Outlook does.
    const bool quote = e.zone->tzid.find_first_of(":;,") != std::string_view::npos;
    return fmt::format("{};TZID={}{}{}:{}", name, quote ? "\"" : "", e.zone->tzid,
                       quote ? "\"" : "", stamp(t));
  }

  local_seconds instance(const Event& master, int index) const {
    if (master.freq == "DAILY") return master.start + days{index * master.interval};
    if (master.freq == "WEEKLY") return master.start + weeks{index * master.interval};
    const auto day = floor<days>(master.start);
    const year_month_day ymd{day};
    const auto timeOfDay = master.start - day;
    if (master.freq == "MONTHLY")
      return local_days{ymd + months{index * master.interval}} + timeOfDay;
    return local_days{ymd + years{index}} + timeOfDay;
  }

  void writeEvent(Event& e, const Event* master) {
    w_.line("BEGIN:VEVENT");
    const bool teams = rng_.chance(55);
    const std::string desc = description(teams);
    if (!desc.empty()) w_.line("DESCRIPTION;LANGUAGE=en-US:" + desc);
    if (e.recurring && master == nullptr) writeRecurrence(e);
    w_.line("UID:" + e.uid);
    if (master != nullptr) {
      const local_seconds rid = instance(*master, e.recurrenceIndex);
      w_.line(when(e, rid, "RECURRENCE-ID"));
      e.start = rid + minutes{e.moveMinutes};
    }
    w_.line(fmt::format("SUMMARY;LANGUAGE=en-US:{}{}", e.cancelled ? "Canceled: " : "", e.summary));
    if (e.allDay) {
      w_.line("DTSTART;VALUE=DATE:" + dateStamp(e.day));
      w_.line("DTEND;VALUE=DATE:" + dateStamp(e.day + days{rng_.range(1, 3)}));
    } else {
      w_.line(when(e, e.start, "DTSTART"));
      w_.line(when(e, e.start + e.length, "DTEND"));
    }
    w_.line("CLASS:" + std::string(rng_.chance(5) ? "PRIVATE" : "PUBLIC"));
    w_.line("PRIORITY:5");
    w_.line(fmt::format("DTSTAMP:{}Z", stamp(local_seconds{kAnchor.time_since_epoch()} -
                                             minutes{rng_.range(0, 100000)})));
    const bool free = e.allDay || e.cancelled || rng_.chance(5);
    w_.line(std::string("TRANSP:") + (free ? "TRANSPARENT" : "OPAQUE"));
    w_.line(std::string("STATUS:") + (e.cancelled ? "CANCELLED" : "CONFIRMED"));
    w_.line(fmt::format("SEQUENCE:{}", master ? 1 : rng_.range(0, 2)));
    const std::string_view room = rng_.pick(kRooms);
    if (!room.empty()) w_.line(fmt::format("LOCATION;LANGUAGE=en-US:{}", room));
    if (!e.allDay) writeAttendees();
    w_.line("X-MICROSOFT-CDO-APPT-SEQUENCE:0");
    w_.line(fmt::format("X-MICROSOFT-CDO-OWNERAPPTID:{}", std::int32_t(rng_.next())));
    w_.line(std::string("X-MICROSOFT-CDO-BUSYSTATUS:") + (free ? "FREE" : "BUSY"));
    w_.line("X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY");
    w_.line(std::string("X-MICROSOFT-CDO-ALLDAYEVENT:") + (e.allDay ? "TRUE" : "FALSE"));
    w_.line("X-MICROSOFT-CDO-IMPORTANCE:1");
    w_.line(fmt::format("X-MICROSOFT-CDO-INSTTYPE:{}", master ? 3 : (e.recurring ? 1 : 0)));
    w_.line("X-MICROSOFT-DONOTFORWARDMEETING:FALSE");
    w_.line("X-MICROSOFT-DISALLOW-COUNTER:FALSE");
    if (teams && rng_.chance(25)) {
      std::string html =
          "X-ALT-DESC;FMTTYPE=text/html:<html><head><meta http-equiv=\"Content-Type\" "
          "content=\"text/html\\; charset=utf-8\"></head><body><div>";
      html += desc.substr(0, std::min<std::size_t>(desc.size(), 1500));
      html += "</div></body></html>";
      w_.line(html);
    }
    if (!e.allDay && rng_.chance(60)) {
      w_.line("BEGIN:VALARM");
      w_.line("DESCRIPTION:REMINDER");
      w_.line(fmt::format("TRIGGER;RELATED=START:-PT{}M", 5 * rng_.range(1, 6)));
      w_.line("ACTION:DISPLAY");
      w_.line("END:VALARM");
    }
    w_.line("END:VEVENT");
  }

  void writeRecurrence(Event& e) {
    const int f = rng_.range(0, 9);
    e.freq = f < 2 ? "DAILY" : f < 8 ? "WEEKLY" : f < 9 ? "MONTHLY" : "YEARLY";
    e.interval = e.freq == "YEARLY" ? 1 : rng_.range(1, 2);
    std::string rule = "RRULE:FREQ=" + e.freq;
    const int count = rng_.range(5, 60);
    if (rng_.chance(50)) {
      rule += fmt::format(";UNTIL={}", utcStamp(instance(e, count - 1), *e.zone));
    } else if (rng_.chance(70)) {
      rule += fmt::format(";COUNT={}", count);
    }
    rule += fmt::format(";INTERVAL={}", e.interval);
    const weekday wd{floor<days>(e.start)};
    if (e.freq == "WEEKLY") {
      rule += fmt::format(";BYDAY={}", kDays[wd.c_encoding()]);
      if (rng_.chance(30)) rule += fmt::format(",{}", kDays[(wd.c_encoding() + 2) % 7]);
      rule += ";WKST=SU";
    } else if (e.freq == "MONTHLY") {
      rule += fmt::format(";BYMONTHDAY={}", unsigned(year_month_day{floor<days>(e.start)}.day()));
    }
    w_.line(rule);
    if (rng_.chance(40)) {
      const int n = rng_.range(1, 3);
      for (int i = 0; i < n; ++i) w_.line(when(e, instance(e, rng_.range(1, count - 1)), "EXDATE"));
    }
  }

  void writeAttendees() {
    const std::string organizer = person();
    w_.line(fmt::format("ORGANIZER;CN={}:mailto:{}", organizer, email(organizer)));
    int n = rng_.range(0, 6);
    if (rng_.chance(20)) n += rng_.range(5, 40);
    for (int i = 0; i < n; ++i) {
      const std::string name = person();
      const bool quoted = rng_.chance(30);
      w_.line(fmt::format("ATTENDEE;ROLE={};PARTSTAT={};RSVP=TRUE;CN={}:mailto:{}",
                          rng_.chance(80) ? "REQ-PARTICIPANT" : "OPT-PARTICIPANT",
                          rng_.pick(kPartstat),
                          quoted ? fmt::format("\"{}, {}\"", name.substr(name.find(' ') + 1),
                                               name.substr(0, name.find(' ')))
                                 : name,
                          email(name)));
    }
    if (rng_.chance(60))
      w_.line(
          fmt::format("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT={};RSVP=TRUE;CN=Me:mailto:"
                      "Me@Example.com",
                      rng_.pick(kPartstat)));
  }

  Writer& w_;
  Rng rng_;
  std::uint32_t serial_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

int usage() {
  std::fputs("usage: gen_feed --size-mb N [--seed S] --out FILE\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  double sizeMb = -1;
  std::uint64_t seed = 1;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string_view v = argv[++i];
    if (a == "--size-mb") {
      sizeMb = std::strtod(std::string(v).c_str(), nullptr);
    } else if (a == "--seed") {
      if (std::from_chars(v.data(), v.data() + v.size(), seed).ec != std::errc{}) return usage();
    } else if (a == "--out") {
      out = v;
    } else {
      return usage();
    }
  }
  if (sizeMb <= 0 || out.empty()) return usage();
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(out.c_str(), "wb"));
  if (!file) {
    std::perror(out.c_str());
    return 1;
  }
  const auto target = std::uint64_t(sizeMb * 1024 * 1024);
  std::uint64_t events = 0;
  {
    Writer w(file.get());
    Generator gen(w, seed);
    gen.header();
    while (w.size() + 20 < target) {
      gen.event();
      ++events;
    }
    gen.footer();
    w.flush();
    fmt::print("gen_feed: {} bytes, {} event groups, seed {} -> {}\n", w.size(), events, seed, out);
  }
  if (std::fflush(file.get()) != 0) {
    std::perror(out.c_str());
    return 1;
  }
  return 0;
}
