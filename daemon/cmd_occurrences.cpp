// `calendarbot occurrences`: the conformance TSV for a window.
#include <fmt/format.h>

#include <cstdio>

#include "daemon/args.hpp"
#include "daemon/cli.hpp"
#include "daemon/log.hpp"
#include "daemon/pipeline.hpp"
#include "ics/tsv.hpp"

namespace cb::daemon {
namespace {

constexpr const char* kHelp =
    "usage: calendarbot occurrences FILE_OR_URL --from ISO8601 --to ISO8601 [--tz ZONE]\n"
    "\n"
    "Prints every occurrence overlapping [--from, --to) as TAB-separated lines:\n"
    "START END UID RECURRENCE-ID STATUS SUMMARY, sorted byte-wise (the format of\n"
    "ics-oracle/occurrences.py). Cancelled occurrences are listed. A URL (https, http,\n"
    "webcal) is downloaded first; a failed or incomplete download is an ERROR line.\n"
    "At most 200,000 occurrences are listed (a warning says when more were left out).\n"
    "  --from, --to   2025-01-01T00:00:00Z (absolute) or 2025-01-01 / ...T00:00:00 (in --tz)\n"
    "  --tz ZONE      display zone for floating times and all-day dates, default UTC\n"
    "  --stats        print the expansion's cost on stderr (expansion-steps, most in one\n"
    "                 series, series dropped over their budget) and the output's (lines, the\n"
    "                 most bytes it held, the most lines sharing one START) after the lines\n"
    "Exit status: 0 success, 1 failure (a missing file, a failed download), 2 bad command\n"
    "line, 3 not a calendar; 1 and 3 print one ERROR line.\n";

int usage(const std::string& message) {
  fmt::print(stderr, "calendarbot occurrences: {}\n", message);
  return kUsage;
}

}  // namespace

int cmdOccurrences(const std::vector<std::string_view>& argv) {
  Args args(argv, {"from", "to", "tz"}, {"help", "stats"});
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  if (!args.error().empty()) return usage(args.error());
  if (args.positional().size() != 1) return usage("exactly one FILE_OR_URL is required");
  const std::string tzName = args.value("tz").value_or("UTC");
  const ics::TimeZone* zone = ics::TimeZone::locate(tzName);
  if (zone == nullptr) return usage(fmt::format("unknown time zone \"{}\"", tzName));
  const auto fromText = args.value("from");
  const auto toText = args.value("to");
  if (!fromText || !toText) return usage("--from and --to are required");
  const auto from = ics::parseIsoInstant(*fromText, *zone);
  const auto to = ics::parseIsoInstant(*toText, *zone);
  if (!from) return usage(fmt::format("bad --from \"{}\"", *fromText));
  if (!to) return usage(fmt::format("bad --to \"{}\"", *toText));

  ics::IngestOptions options;
  options.displayZone = zone;
  // Only what can overlap the window is kept (recurring series are kept whole).
  options.window = ics::TimeWindow{*from, *to};
  options.keepUids = true;
  options.limits.maxTextBytes = 1 << 20;            // the contract prints whole summaries
  options.limits.maxOccurrencesPerWindow = 200000;  // and windows whole, within reason
  std::string error;
  bool notCalendar = false;
  const std::string& file = args.positional()[0];
  auto store = loadCalendar(file, options, file, error, &notCalendar);
  if (!store) {
    fmt::print("ERROR\t{}\n", error);
    return notCalendar ? kNotCalendar : kFailure;
  }
  const auto warn = [](std::string_view w) { log::warning("{}", w); };
  // Streamed: the window's occurrences are never held whole (see ics::writeWindowTsv).
  const ics::TsvCost cost = ics::writeWindowTsv(
      *store, *from, *to, warn,
      [](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stdout); });
  if (args.has("stats")) {
    const ics::ExpansionStats& e = store->lastExpansion();
    fmt::print(stderr,
               "expansion-steps\t{}\nseries-steps-max\t{}\nseries-dropped\t{}\nwindow-cut\t{}\n"
               "lines\t{}\noutput-peak-bytes\t{}\nlargest-start-group\t{}\n",
               e.steps, e.maxSeriesSteps, store->droppedSeries(), e.cutByWindow, cost.lines,
               cost.peakBytes, cost.largestGroup);
  }
  return kOk;
}

}  // namespace cb::daemon
