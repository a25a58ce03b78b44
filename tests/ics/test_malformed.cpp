// Robustness: broken, unsupported and hostile inputs never crash or hang `calendarbot occurrences`.
//
// Every file of ../shared/ics-corpus/{malformed,unsupported}/ with its window from windows.tsv,
// plus inputs generated here (RRULE bombs, 1 MB lines, endless components, deep nesting, binary
// garbage, NUL bytes, invalid UTF-8, an empty file...). For each run:
//   * it ends by itself within the deadline, without a signal (sanitizer reports fail it too);
//   * exit 0, or exit 3 with exactly one line on stdout, "ERROR<TAB>...";
//   * with exit 0 every line has the six TSV fields and the lines are sorted byte-wise;
//   * stdout, stderr and peak RSS stay bounded (an RRULE bomb must hit the per-series cap).
// Without CB_BINARY the test is skipped (77); without the corpus only generated inputs run.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "child.hpp"
#include "support.hpp"

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr long kMaxRssKb = 1024 * 1024;  // ASan's shadow memory and quarantine
constexpr auto kDeadline = std::chrono::seconds(120);
#else
constexpr long kMaxRssKb = 256 * 1024;
constexpr auto kDeadline = std::chrono::seconds(60);
#endif
constexpr std::size_t kMaxOutput = std::size_t(16) << 20;

struct Case {
  std::string name;
  std::string file;
  std::string from, to, tz;
};

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(pos));
      break;
    }
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

// Empty when the run met every rule; otherwise what went wrong.
std::string verdict(const cb::test::ChildOutcome& r) {
  if (r.timedOut) return "did not finish within the deadline (hang?)";
  if (r.signal != 0) return "killed by signal " + std::to_string(r.signal);
  if (r.outputCapped) return "unbounded output (more than 16 MB on stdout or stderr)";
  if (r.peakRssKb > kMaxRssKb) return "peak RSS " + std::to_string(r.peakRssKb / 1024) + " MB";
  if (r.exitCode == 3) {
    const auto lines = splitLines(r.out);
    if (lines.size() != 1 || !r.out.ends_with('\n') || !lines[0].starts_with("ERROR\t"))
      return "exit 3 needs exactly one \"ERROR<TAB>...\" line on stdout, got: " +
             r.out.substr(0, 300);
    return "";
  }
  if (r.exitCode != 0) return "exit " + std::to_string(r.exitCode) + " (want 0 or 3)";
  if (!r.out.empty() && !r.out.ends_with('\n')) return "stdout does not end with a newline";
  const auto lines = splitLines(r.out);
  for (const std::string& line : lines) {
    if (std::count(line.begin(), line.end(), '\t') != 5)
      return "a line without exactly six TAB-separated fields: " + line.substr(0, 300);
    if (line.starts_with("ERROR")) return "ERROR line with exit 0";
  }
  if (!std::is_sorted(lines.begin(), lines.end())) return "lines not sorted byte-wise";
  return "";
}

std::string calendar(const std::string& body) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calendarbot//adversarial//EN\r\n" + body +
         "END:VCALENDAR\r\n";
}

std::string event(const std::string& uid, const std::string& lines) {
  return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20250101T000000Z\r\n" + lines +
         "END:VEVENT\r\n";
}

// A deterministic byte source for the garbage inputs.
class Bytes {
 public:
  explicit Bytes(std::uint64_t seed) : state_(seed) {}
  unsigned char next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<unsigned char>(state_ >> 24);
  }

 private:
  std::uint64_t state_;
};

// Hands each hostile input (name, file contents) to `in.add` one at a time, so this
// process stays small: a spawned child's ru_maxrss starts from its parent's peak RSS.
template <typename Sink>
void adversarialInputs(Sink&& in) {
  using namespace std::literals;
  const std::string plain = event("plain", "DTSTART:20250310T090000Z\r\nSUMMARY:still here\r\n");

  // RRULE bombs: endless, from long ago, empty rules that a naive iterator searches forever.
  in.add("secondly-bomb", calendar(event("bomb",
                                         "DTSTART:20250101T000000Z\r\n"
                                         "RRULE:FREQ=SECONDLY\r\n"
                                         "SUMMARY:bomb\r\n") +
                                   plain));
  in.add("secondly-bomb-from-1970",
         calendar(event("bomb70",
                        "DTSTART:19700101T000000Z\r\n"
                        "RRULE:FREQ=SECONDLY;INTERVAL=1\r\nSUMMARY:bomb\r\n") +
                  plain));
  in.add("minutely-byday-bomb",
         calendar(event("bombm",
                        "DTSTART;TZID=Europe/Berlin:20250101T000000\r\n"
                        "RRULE:FREQ=MINUTELY;BYDAY=MO,TU,WE,TH,FR,SA,SU;"
                        "BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\r\n"
                        "SUMMARY:bomb\r\n") +
                  plain));
  in.add("secondly-huge-count", calendar(event("bombc",
                                               "DTSTART:20250101T000000Z\r\n"
                                               "RRULE:FREQ=SECONDLY;COUNT=2000000000\r\n") +
                                         plain));
  in.add("never-matching-rule",
         calendar(event("never",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5\r\n") +
                  event("never2",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11\r\n") +
                  event("never3",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\n") +
                  plain));
  in.add("absurd-rule-parts",
         calendar(event("a1",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=DAILY;INTERVAL=2147483647\r\n") +
                  event("a2",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=YEARLY;BYSETPOS=-366,366;BYYEARDAY=-1,400;"
                        "BYWEEKNO=53,-53,99;BYDAY=99MO,-99FR\r\n") +
                  event("a3",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=WEEKLY;COUNT=-5;UNTIL=garbage;INTERVAL=0\r\n") +
                  event("a4",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=FORTNIGHTLY;BYDAY=XX\r\n") +
                  event("a5", "DTSTART:20250101T090000Z\r\nRRULE:\r\n") +
                  event("a6",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=HOURLY;BYHOUR=25;BYMINUTE=61;BYSECOND=99\r\n") +
                  event("a7",
                        "DTSTART:20250101T090000Z\r\n"
                        "RRULE:FREQ=MONTHLY;BYDAY=5FR,-5FR;COUNT=100000000\r\n") +
                  plain));
  in.add(
      "extreme-dates-and-durations",
      calendar(event("d1", "DTSTART:99991231T235959Z\r\nDURATION:P99999999W\r\n") +
               event("d2", "DTSTART:00000101T000000Z\r\nDTEND:99990101T000000Z\r\n") +
               event("d3", "DTSTART:20250101T000000Z\r\nDURATION:-P1D\r\n") +
               event("d4", "DTSTART:20251301T250000Z\r\n") +
               event("d5", "DTSTART;VALUE=DATE:20250230\r\nRRULE:FREQ=YEARLY\r\n") +
               event("d6",
                     "DTSTART;TZID=No/Such_Zone:20250101T100000\r\n"
                     "RRULE:FREQ=DAILY;COUNT=3\r\n") +
               event("d7", "DTSTART:20250101T100000Z\r\nDURATION:PT9999999999999H\r\n") + plain));
  {
    std::string exdates = "EXDATE:";
    for (int i = 0; i < 3000; ++i) exdates += (i ? "," : "") + std::string("20250101T090000Z");
    in.add("3000-exdates", calendar(event("ex",
                                          "DTSTART:20250101T090000Z\r\n"
                                          "RRULE:FREQ=DAILY\r\n" +
                                              exdates + "\r\n") +
                                    plain));
  }

  // Lines and components past every limit.
  const std::string mb(1 << 20, 'x');
  in.add("1mb-summary-line",
         calendar(event("long", "DTSTART:20250310T090000Z\r\nSUMMARY:" + mb + "\r\n") + plain));
  {
    std::string folded = "DESCRIPTION:";
    for (int i = 0; i < 20000; ++i) folded += std::string(60, 'y') + "\r\n ";
    folded += "end\r\n";
    in.add("1mb-folded-line",
           calendar(event("fold", "DTSTART:20250310T090000Z\r\n" + folded) + plain));
  }
  {
    std::string tiny = "SUMMARY:a";
    for (int i = 0; i < 200000; ++i) tiny += "\r\n b";
    in.add("200k-one-char-folds",
           calendar(event("tiny", "DTSTART:20250310T090000Z\r\n" + tiny + "\r\n") + plain));
  }
  in.add("1mb-line-without-newline", calendar(plain) + "X-TRAILER:" + mb);
  in.add("1mb-cr-only-lines", [&] {
    std::string s = calendar(plain);
    std::replace(s.begin(), s.end(), '\n', '\r');
    return s + mb;
  }());
  {
    std::string params = "ATTENDEE";
    for (int i = 0; i < 5000; ++i) params += ";X-P" + std::to_string(i) + "=\"v;:,\"";
    in.add("5000-parameters",
           calendar(event("params", "DTSTART:20250310T090000Z\r\n" + params + ":mailto:a@b.c\r\n") +
                    plain));
  }
  in.add("unterminated-quote", calendar(event("q",
                                              "DTSTART;TZID=\"Europe/Berlin:20250310T090000\r\n"
                                              "SUMMARY;LANGUAGE=\"en:quoted\r\n") +
                                        plain));
  {
    std::string big;
    for (int i = 0; i < 100000; ++i) big += "X-FILL-" + std::to_string(i) + ":0123456789abcdef\r\n";
    in.add("3mb-component", calendar(event("big", "DTSTART:20250310T090000Z\r\n" + big) + plain));
  }
  in.add("vevent-never-ends", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + plain +
                                  "BEGIN:VEVENT\r\nUID:open\r\n"
                                  "DTSTART:20250311T090000Z\r\nSUMMARY:open\r\n");
  in.add("vcalendar-never-ends", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + plain);
  {
    std::string s = "BEGIN:VCALENDAR\r\n";
    for (int i = 0; i < 200000; ++i) s += "BEGIN:VEVENT\r\n";
    s += "DTSTART:20250310T090000Z\r\n";
    for (int i = 0; i < 200000; ++i) s += "END:VEVENT\r\n";
    in.add("200k-nested-vevents", s + "END:VCALENDAR\r\n");
  }
  {
    std::string s = "BEGIN:VCALENDAR\r\n";
    for (int i = 0; i < 200000; ++i) s += "BEGIN:X-DEEP\r\n";
    in.add("200k-nested-unclosed", s + plain);
  }
  {
    std::string s;
    for (int i = 0; i < 10000; ++i) s += "BEGIN:VCALENDAR\r\n" + plain;
    in.add("10k-vcalendars-never-closed", s);
  }
  in.add("end-without-begin", "END:VEVENT\r\nEND:VCALENDAR\r\nEND:VEVENT\r\n" + calendar(plain) +
                                  "END:VEVENT\r\nEND:VCALENDAR\r\n");
  in.add("mismatched-ends", calendar("BEGIN:VEVENT\r\nUID:m\r\nDTSTART:20250310T090000Z\r\n"
                                     "BEGIN:VALARM\r\nEND:VEVENT\r\nEND:VALARM\r\n" +
                                     plain));

  // Bytes that are not text.
  {
    Bytes b(42);
    std::string garbage;
    for (int i = 0; i < (1 << 20); ++i) garbage += char(b.next());
    in.add("1mb-binary-garbage", garbage);
    in.add("garbage-inside-calendar", calendar(plain + garbage.substr(0, 200000) + plain));
  }
  in.add("nul-bytes", calendar(event(std::string("n\0ul"sv),
                                     std::string("DTSTART:20250310T090000Z\r\nSUMMARY:a\0b\r\n"
                                                 "LOCATION\0:x\r\nDTEND:2025031\0T100000Z\r\n"sv)) +
                               std::string(1000, '\0') + "\r\n" + plain));
  in.add("invalid-utf8", calendar(event("u\xFF",
                                        "DTSTART:20250310T090000Z\r\n"
                                        "SUMMARY:\xC3\x28 \xA0\xA1 \xE2\x28\xA1 \xF0\x28\x8C\xBC "
                                        "\xC0\xAF \xED\xA0\x80 \xF8\x88\x80\x80\x80 \xFE\xFF\r\n"
                                        "LOCATION:trunc\xE2\x82\r\n") +
                                  event("u2", "DTSTART:20250311T090000Z\r\nSUMMARY:" +
                                                  std::string(300, '\xE2') + "\r\n") +
                                  plain));
  in.add("bom-only", "\xEF\xBB\xBF");
  in.add("empty-file", "");
  in.add("only-newlines", std::string(100000, '\n'));
  in.add("begin-vcalendar-only", "BEGIN:VCALENDAR");
  in.add("html-error-page", "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>\n");
}

// Writes every input to `dir` as it is generated.
struct FileSink {
  const cb::test::TempDir& dir;
  std::vector<std::string>& names;
  void add(const std::string& name, const std::string& bytes) {
    (void)dir.write(name + ".ics", bytes);
    names.push_back(name);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (const auto launched = cb::test::launcherMain(argc, argv)) return *launched;
  const std::string binary = cb::test::env("CB_BINARY");
  if (binary.empty()) {
    std::puts("SKIP: CB_BINARY is not set");
    return 77;
  }
  std::vector<Case> cases;
  const std::string corpus = cb::test::env("CB_CORPUS");
  std::ifstream windows(corpus + "/windows.tsv");
  if (corpus.empty() || !windows) {
    std::printf("note: no corpus at \"%s\": only generated inputs\n", corpus.c_str());
  } else {
    std::string line;
    while (std::getline(windows, line)) {
      if (!line.starts_with("malformed/") && !line.starts_with("unsupported/")) continue;
      std::istringstream fields(line);
      Case c;
      std::getline(fields, c.name, '\t');
      std::getline(fields, c.from, '\t');
      std::getline(fields, c.to, '\t');
      std::getline(fields, c.tz, '\t');
      c.file = corpus + "/" + c.name;
      cases.push_back(c);
    }
  }
  const std::size_t corpusCases = cases.size();

  cb::test::TempDir dir("cb-malformed");
  std::vector<std::string> names;
  adversarialInputs(FileSink{dir, names});
  for (const std::string& name : names)
    cases.push_back({"generated/" + name, dir.path() + "/" + name + ".ics", "2025-01-01T00:00:00Z",
                     "2026-01-01T00:00:00Z", "UTC"});

  int failures = 0;
  for (const Case& c : cases) {
    const auto r = cb::test::runWithDeadline(
        {binary, "occurrences", c.file, "--from", c.from, "--to", c.to, "--tz", c.tz}, kDeadline,
        {}, kMaxOutput);
    const std::string why = verdict(r);
    std::printf("%s %-60s exit %d, %zu lines, %.2f s, %ld MB\n", why.empty() ? "ok  " : "FAIL",
                c.name.c_str(), r.exitCode,
                std::size_t(std::count(r.out.begin(), r.out.end(), '\n')), r.seconds,
                r.peakRssKb / 1024);
    if (!why.empty()) {
      ++failures;
      std::printf("     %s\n     window %s %s %s\n", why.c_str(), c.from.c_str(), c.to.c_str(),
                  c.tz.c_str());
      if (!r.err.empty()) std::printf("     stderr: %s\n", r.err.substr(0, 2000).c_str());
    }
  }
  if (failures > 0) dir.keep();
  std::printf("%zu/%zu inputs handled robustly (%zu from the corpus, %zu generated in %s)\n",
              cases.size() - std::size_t(failures), cases.size(), corpusCases,
              cases.size() - corpusCases, dir.path().c_str());
  return failures == 0 ? 0 : 1;
}
