// Fuzz target: a feed fed in chunks of random sizes, expanded over two windows (the first also
// streamed as `occurrences` prints it: the same lines), then through a snapshot image and
// back: the copy must give the same occurrences, and its image the same bytes. The first 8
// bytes choose the chunk sizes and whether the store is one for the screens (a "now", a
// small screen budget and its tally); the rest is the feed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "ics/snapshot.hpp"
#include "ics/store.hpp"
#include "ics/tsv.hpp"

namespace {

using namespace std::chrono;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_ingest: %s\n", what);
  std::abort();
}

std::string expand(const cb::ics::EventStore& store, cb::ics::Instant from, cb::ics::Instant to) {
  return cb::ics::tsvDocument(store.occurrences(from, to));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  std::uint64_t seed = 0;
  std::memcpy(&seed, data, 8);
  const std::string_view feed(reinterpret_cast<const char*>(data) + 8, size - 8);

  const cb::ics::Instant a = sys_days{year{2025} / 3 / 1};
  const cb::ics::Instant b = a + days{9};
  const cb::ics::Instant c = sys_days{year{1999} / 12 / 20};
  const cb::ics::Instant d = c + days{40};

  cb::ics::IngestOptions options;
  options.keepUids = true;
  if (seed & 1) {  // a store for the screens: the budget prunes, the tally counts
    options.now = a + days{2};
    options.limits.screenEvents = 1 + (seed >> 1) % 12;
  }
  // Small limits so that the fuzzer reaches them; the budgets stay as shipped.
  options.limits.maxOccurrencesPerSeries = 200;
  options.limits.maxEventsPerFeed = 2000;
  cb::ics::Ingest ingest(options);
  std::size_t pos = 0;
  while (pos < feed.size()) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    const std::size_t n = std::min<std::size_t>(feed.size() - pos, 1 + (seed >> 33) % 97);
    ingest.feed(feed.substr(pos, n));
    pos += n;
  }
  cb::ics::EventStore store = ingest.finish();

  // Expansion drops series over budget for good: the image is taken before, and the copy is
  // expanded in the same order so that both drop the same ones.
  const std::string image = cb::ics::serializeStore(store);
  const std::string first = expand(store, a, b);
  const std::string second = expand(store, c, d);
  std::string streamed;
  (void)cb::ics::writeWindowTsv(store, a, b, {},
                                [&streamed](std::string_view line) { streamed += line; });
  if (streamed != first) fail("the streamed TSV differs from the window's");

  std::optional<cb::ics::EventStore> copy = cb::ics::deserializeStore(image);
  if (!copy) fail("a snapshot image the store wrote cannot be read back");
  if (cb::ics::serializeStore(*copy) != image) fail("the round trip changed the image");
  if (expand(*copy, a, b) != first) fail("the copy expands the first window differently");
  if (expand(*copy, c, d) != second) fail("the copy expands the second window differently");
  return 0;
}
