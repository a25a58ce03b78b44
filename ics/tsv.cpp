// Conformance TSV formatting: escaping, fields, byte-wise sort.
#include "ics/tsv.hpp"

#include <algorithm>
#include <tuple>

#include "ics/store_data.hpp"

namespace cb::ics {

namespace {

void appendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

// Sorts lines (offset, length in `text`, the newline included) byte-wise and hands them out.
void sortAndWrite(const std::string& text, std::vector<std::pair<std::size_t, std::size_t>>& lines,
                  const std::function<void(std::string_view)>& out) {
  auto view = [&text](const std::pair<std::size_t, std::size_t>& l) {
    return std::string_view(text).substr(l.first, l.second - 1);
  };
  std::sort(lines.begin(), lines.end(),
            [&](const auto& a, const auto& b) { return view(a) < view(b); });
  for (const auto& l : lines) out(std::string_view(text).substr(l.first, l.second));
}

void appendLine(std::string& text, std::vector<std::pair<std::size_t, std::size_t>>& lines,
                const Occurrence& o) {
  const std::size_t at = text.size();
  appendTsvLine(text, o);
  text += '\n';
  lines.emplace_back(at, text.size() - at);
}

// One occurrence of a window: timed, its instants; all-day, its dates (what START and END
// print); and the single or series it comes from (see visitWindow).
struct Ref {
  std::int64_t first = 0;   // seconds, or days (all-day)
  std::int64_t second = 0;  // the end, likewise
  std::uint32_t index = 0;
  bool allDay = false;
  // START's byte order: "YYYYMMDD" of an all-day item sorts before "YYYYMMDDTHHMMSSZ" of
  // that date ('\t' < 'T'), and dates and instants in time order (four-digit years).
  [[nodiscard]] std::pair<std::int64_t, std::int64_t> startKey() const {
    if (allDay) return {first, INT64_MIN};
    const std::int64_t day = first >= 0 ? first / 86400 : -((-first + 86399) / 86400);
    return {day, first};
  }
};
static_assert(sizeof(Ref) == TsvCost::kRefBytes);

}  // namespace

std::string escapeTsv(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  appendEscaped(out, text);
  return out;
}

std::string tsvLine(const Occurrence& o) {
  std::string line;
  appendTsvLine(line, o);
  return line;
}

void appendTsvLine(std::string& out, const Occurrence& o) {
  auto field = [&out](std::string_view text) { appendEscaped(out, text); };
  if (o.allDay) {
    out += formatDate(o.startDate);
    out += '\t';
    out += formatDate(o.endDate);
  } else {
    out += formatUtc(o.start);
    out += '\t';
    out += formatUtc(o.end);
  }
  out += '\t';
  field(o.uid);
  out += '\t';
  if (o.fromOverride)
    out += o.recurrenceIdIsDate ? formatDate(std::chrono::floor<std::chrono::days>(o.recurrenceId))
                                : formatUtc(o.recurrenceId);
  out += '\t';
  field(o.statusText);
  out += '\t';
  field(o.summary);
}

void writeTsv(std::vector<Occurrence> occurrences,
              const std::function<void(std::string_view)>& out) {
  // All lines in one buffer, sorted as (offset, length) pairs: a line costs its bytes and 16
  // more, not a heap string each, and the occurrences are freed before the sort.
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> lines;
  lines.reserve(occurrences.size());
  for (const Occurrence& o : occurrences) appendLine(text, lines, o);
  occurrences = {};
  sortAndWrite(text, lines, out);
}

std::string tsvDocument(const std::vector<Occurrence>& occurrences) {
  std::string doc;
  writeTsv(occurrences, [&doc](std::string_view line) { doc += line; });
  return doc;
}

TsvCost writeWindowTsv(const EventStore& store, Instant from, Instant to, const WarningSink& warn,
                       const std::function<void(std::string_view)>& out) {
  using std::chrono::days;
  EventStore::Data& d = *store.data_;
  TsvCost cost;
  std::vector<Ref> refs;
  visitWindow(d, from, to, warn, [&refs](const Occurrence& o, std::uint32_t index) {
    if (o.allDay)
      refs.push_back({o.startDate.time_since_epoch().count(), o.endDate.time_since_epoch().count(),
                      index, true});
    else
      refs.push_back(
          {o.start.time_since_epoch().count(), o.end.time_since_epoch().count(), index, false});
  });
  std::sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) {
    return std::tuple(a.startKey(), a.second, a.index) <
           std::tuple(b.startKey(), b.second, b.index);
  });
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> lines;
  for (std::size_t i = 0; i < refs.size();) {
    std::size_t j = i;
    text.clear();
    lines.clear();
    for (; j < refs.size() && refs[j].startKey() == refs[i].startKey(); ++j) {
      const Ref& r = refs[j];
      if (r.index < d.singles.size()) {
        appendLine(text, lines, d.singles[r.index]);
        continue;
      }
      // The TSV prints an all-day instance's dates only: its midnights are not looked up.
      const Series& s = d.series[r.index - d.singles.size()];
      using std::chrono::seconds;
      appendLine(text, lines,
                 instanceOf(s, r.allDay ? InstanceTimes{.startDate = Date{days{r.first}},
                                                        .endDate = Date{days{r.second}}}
                                        : InstanceTimes{.start = Instant{seconds{r.first}},
                                                        .end = Instant{seconds{r.second}}}));
    }
    cost.largestGroup = std::max<std::uint64_t>(cost.largestGroup, j - i);
    cost.peakBytes =
        std::max<std::uint64_t>(cost.peakBytes, refs.capacity() * sizeof(Ref) + text.capacity() +
                                                    lines.capacity() * sizeof(lines[0]));
    cost.lines += j - i;
    sortAndWrite(text, lines, out);
    i = j;
  }
  cost.peakBytes = std::max<std::uint64_t>(cost.peakBytes, refs.capacity() * sizeof(Ref));
  return cost;
}

}  // namespace cb::ics
