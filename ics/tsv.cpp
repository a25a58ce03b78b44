// Conformance TSV formatting: escaping, fields, byte-wise sort.
#include "ics/tsv.hpp"

#include <algorithm>

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
  for (const Occurrence& o : occurrences) {
    const std::size_t at = text.size();
    appendTsvLine(text, o);
    text += '\n';
    lines.emplace_back(at, text.size() - at);
  }
  occurrences = {};
  auto view = [&text](const std::pair<std::size_t, std::size_t>& l) {
    return std::string_view(text).substr(l.first, l.second - 1);
  };
  std::sort(lines.begin(), lines.end(),
            [&](const auto& a, const auto& b) { return view(a) < view(b); });
  for (const auto& l : lines) out(std::string_view(text).substr(l.first, l.second));
}

std::string tsvDocument(const std::vector<Occurrence>& occurrences) {
  std::string doc;
  writeTsv(occurrences, [&doc](std::string_view line) { doc += line; });
  return doc;
}

}  // namespace cb::ics
