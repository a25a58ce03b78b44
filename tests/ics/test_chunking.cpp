// Chunk invariance: a realistic feed gives the same store however a download splits it.
//
// usage: test_chunking GEN_FEED
//
// Generates a 2 MB Outlook-style feed with perf/gen_feed (CRLF, folded lines, VTIMEZONEs,
// recurring series, overrides), ingests it through the public push API whole, in fixed chunk
// sizes from 1 byte up, and in seeded random sizes, also with LF line ends, and requires the
// same occurrences (the conformance TSV over five years) and the same counters every time.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "child.hpp"
#include "ics/store.hpp"
#include "ics/tsv.hpp"

namespace {

struct Outcome {
  std::string tsv;
  cb::ics::IngestStats stats;
};

// `sizes` gives the chunk lengths in turn (cycled); the last chunk is whatever is left.
Outcome ingest(std::string_view text, const std::vector<std::size_t>& sizes) {
  cb::ics::IngestOptions options;
  options.keepUids = true;
  options.ownerEmails = {"me@example.com"};
  options.displayZone = cb::ics::TimeZone::locate("Europe/Berlin");
  cb::ics::Ingest in(options);
  std::size_t pos = 0, i = 0;
  while (pos < text.size()) {
    const std::size_t n = std::min(sizes[i++ % sizes.size()], text.size() - pos);
    in.feed(text.substr(pos, n));
    pos += n;
  }
  const cb::ics::EventStore store = in.finish();
  const auto& utc = cb::ics::TimeZone::utc();
  Outcome o;
  o.tsv = cb::ics::tsvDocument(store.occurrences(*cb::ics::parseIsoInstant("2023-01-01", utc),
                                                 *cb::ics::parseIsoInstant("2028-01-01", utc)));
  o.stats = store.stats();
  return o;
}

std::string describe(const cb::ics::IngestStats& s) {
  return "bytes " + std::to_string(s.bytes) + ", events " + std::to_string(s.events) +
         ", skipped " + std::to_string(s.skipped) + ", dropped " + std::to_string(s.dropped);
}

// The first line where two TSV documents differ, for the failure message.
std::string firstDifference(const std::string& a, const std::string& b) {
  std::size_t pa = 0, pb = 0;
  while (pa < a.size() || pb < b.size()) {
    const std::size_t ea = std::min(a.find('\n', pa), a.size());
    const std::size_t eb = std::min(b.find('\n', pb), b.size());
    if (a.compare(pa, ea - pa, b, pb, eb - pb) != 0)
      return "  whole: " + a.substr(pa, ea - pa) + "\n  split: " + b.substr(pb, eb - pb);
    pa = ea + 1;
    pb = eb + 1;
  }
  return "  (same occurrences, different counters)";
}

}  // namespace

int main(int argc, char** argv) {
  if (const auto launched = cb::test::launcherMain(argc, argv)) return *launched;
  if (argc != 2) {
    std::fputs("usage: test_chunking GEN_FEED\n", stderr);
    return 2;
  }
  cb::test::TempDir dir("cb-chunking");
  const std::string file = dir.path() + "/feed.ics";
  const auto gen = cb::test::runWithDeadline(
      {argv[1], "--size-mb", "2", "--seed", "7", "--out", file}, std::chrono::seconds(60));
  if (gen.exitCode != 0) {
    std::printf("FAIL: %s exited %d: %s\n", argv[1], gen.exitCode, gen.err.c_str());
    return 1;
  }
  std::ifstream in(file, std::ios::binary);
  const std::string crlf{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::string lf;
  lf.reserve(crlf.size());
  for (std::size_t i = 0; i < crlf.size(); ++i)
    if (!(crlf[i] == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n')) lf += crlf[i];

  int failures = 0;
  for (const std::string* text : {&crlf, static_cast<const std::string*>(&lf)}) {
    const char* kind = text == &crlf ? "CRLF" : "LF";
    const Outcome whole = ingest(*text, {text->size()});
    std::printf("%s, whole: %zu occurrences; %s\n", kind,
                std::size_t(std::count(whole.tsv.begin(), whole.tsv.end(), '\n')),
                describe(whole.stats).c_str());
    if (whole.stats.events < 100 || whole.tsv.empty()) {
      std::printf("FAIL: the generated feed gave almost nothing\n");
      ++failures;
    }
    std::vector<std::pair<std::string, std::vector<std::size_t>>> splits = {
        {"1 byte", {1}},    {"2 bytes", {2}},   {"3 bytes", {3}},       {"74 bytes", {74}},
        {"75 bytes", {75}}, {"76 bytes", {76}}, {"4093 bytes", {4093}}, {"64 KiB", {65536}}};
    std::vector<std::size_t> random;
    std::uint64_t state = 20261128;
    for (int i = 0; i < 4096; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      random.push_back(1 + std::size_t(state >> 33) % 300);
    }
    splits.emplace_back("random 1-300 bytes", random);
    for (const auto& [name, sizes] : splits) {
      const Outcome split = ingest(*text, sizes);
      const bool same = split.tsv == whole.tsv && split.stats.events == whole.stats.events &&
                        split.stats.skipped == whole.stats.skipped &&
                        split.stats.dropped == whole.stats.dropped &&
                        split.stats.bytes == whole.stats.bytes;
      std::printf("%s %s, chunks of %s\n", same ? "ok  " : "FAIL", kind, name.c_str());
      if (!same) {
        ++failures;
        std::printf("  %s\n%s\n", describe(split.stats).c_str(),
                    firstDifference(whole.tsv, split.tsv).c_str());
      }
    }
  }
  if (failures > 0) dir.keep();
  return failures == 0 ? 0 : 1;
}
