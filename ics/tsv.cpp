// Conformance TSV formatting: escaping, fields, byte-wise sort.
#include "ics/tsv.hpp"

#include <algorithm>

namespace cb::ics {

std::string escapeTsv(std::string_view text) {
  std::string out;
  out.reserve(text.size());
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
  return out;
}

std::string tsvLine(const Occurrence& o) {
  std::string line;
  if (o.allDay) {
    line = formatDate(o.startDate) + '\t' + formatDate(o.endDate);
  } else {
    line = formatUtc(o.start) + '\t' + formatUtc(o.end);
  }
  line += '\t';
  line += escapeTsv(o.uid);
  line += '\t';
  if (o.fromOverride)
    line += o.recurrenceIdIsDate ? formatDate(std::chrono::floor<std::chrono::days>(o.recurrenceId))
                                 : formatUtc(o.recurrenceId);
  line += '\t';
  line += escapeTsv(o.statusText);
  line += '\t';
  line += escapeTsv(o.summary);
  return line;
}

std::string tsvDocument(const std::vector<Occurrence>& occurrences) {
  std::vector<std::string> lines;
  lines.reserve(occurrences.size());
  for (const Occurrence& o : occurrences) lines.push_back(tsvLine(o));
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
}

}  // namespace cb::ics
