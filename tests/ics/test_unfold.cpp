// LineUnfolder against a plain reference unfolder: random bytes heavy in CR, LF, SP, TAB and
// control bytes, random chunkings, a small line limit; every kept and skipped line must match.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ics/reader.hpp"

using cb::ics::LineEnds;
using cb::ics::LineScanner;
using cb::ics::LineUnfolder;

namespace {

// What a sink saw: "K<bytes>:<text>" for a kept line, "S<bytes>" for a skipped one.
using Seen = std::vector<std::string>;

using Verdict = cb::ics::LineVerdict;

// Keeps a line when its first byte is an upper-case letter up to 'M' (decided on the first
// physical line, as LineUnfolder promises). Lines starting with 'N' are kept when they end
// with 'z' or are longer than the limit (AskLast: decided on the last physical line when
// the unfolder can, else on the whole line).
Verdict wanted(std::string_view first) {
  if (first[0] == 'N') return Verdict::AskLast;
  return first[0] >= 'A' && first[0] <= 'M' ? Verdict::Keep : Verdict::Skip;
}

bool endsWell(std::string_view l) {
  return !l.empty() && l.back() == 'z';
}

struct Sink {
  std::size_t max = 0;
  explicit Sink(std::size_t limit) : max(limit) {}
  Seen seen;
  Verdict verdict = Verdict::Skip;
  Verdict keep(std::string_view first) {
    REQUIRE(!first.empty());
    REQUIRE(first[0] != ' ');
    REQUIRE(first[0] != '\t');
    verdict = wanted(first);
    return verdict;
  }
  bool last(std::string_view piece, std::size_t bytes) {
    REQUIRE(verdict == Verdict::AskLast);
    // An empty last line says nothing about the line's end.
    return bytes > max || piece.empty() || endsWell(piece);
  }
  void line(std::string_view l, std::size_t bytes) {
    if (verdict == Verdict::AskLast && bytes == l.size() && !endsWell(l)) {
      skipped(bytes);
      return;
    }
    seen.push_back(fmt::format("K{}:{}", bytes, l));
  }
  void skipped(std::size_t bytes) { seen.push_back(fmt::format("S{}", bytes)); }
};

// RFC 5545 3.1 the slow way: physical lines end at CRLF, LF or a lone CR; a leading BOM is
// dropped; SP/TAB continue the previous line; a blank line ends it (and continues nothing).
Seen reference(const std::string& in, std::size_t max) {
  std::string text = in;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<std::string> physical;
  std::string cur;
  bool open = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      physical.push_back(cur);
      cur.clear();
      open = false;
    } else {
      cur += c;
      open = true;
    }
  }
  if (open) physical.push_back(cur);
  Seen seen;
  bool have = false, keep = false;
  Verdict verdict = Verdict::Skip;
  std::string logical;
  auto flush = [&] {
    if (!have) return;
    if (keep && verdict == Verdict::AskLast && logical.size() <= max && !endsWell(logical))
      keep = false;
    if (keep)
      seen.push_back(fmt::format("K{}:{}", logical.size(), logical.substr(0, max)));
    else
      seen.push_back(fmt::format("S{}", logical.size()));
    have = false;
  };
  for (const std::string& p : physical) {
    if (!p.empty() && (p[0] == ' ' || p[0] == '\t')) {
      if (have) logical += p.substr(1);
      continue;
    }
    flush();
    if (p.empty()) continue;
    have = true;
    verdict = wanted(p.substr(0, max));
    keep = verdict != Verdict::Skip;
    logical = p;
  }
  flush();
  return seen;
}

Seen unfold(const std::string& text, std::size_t max, std::mt19937& rng,
            LineScanner scanner = LineEnds::best()) {
  LineUnfolder u(max, scanner);
  Sink sink(max);
  std::size_t pos = 0;
  while (pos < text.size()) {
    // Mostly small pieces, sometimes large ones (several 64-byte blocks at once).
    const std::size_t n = (rng() % 4 == 0) ? 1 + rng() % 300 : 1 + rng() % 9;
    const std::size_t take = std::min(n, text.size() - pos);
    u.feed(std::string_view(text).substr(pos, take), sink);
    pos += take;
  }
  u.finish(sink);
  return sink.seen;
}

// Every line scanner this build and CPU can run, each against the reference: the default
// one only covers AVX2 on a modern x86-64, while 32-bit ARM runs the scalar one.
std::vector<LineScanner> scanners() {
  std::vector<LineScanner> out;
  for (LineScanner s :
       {LineScanner::Scalar, LineScanner::Sse2, LineScanner::Avx2, LineScanner::Neon})
    if (LineEnds::available(s)) out.push_back(s);
  return out;
}

}  // namespace

TEST_CASE("every line scanner of this build is tested", "[ics]") {
  const std::vector<LineScanner> have = scanners();
  CHECK(have.front() == LineScanner::Scalar);
  CHECK(std::find(have.begin(), have.end(), LineEnds::best()) != have.end());
#if defined(__x86_64__)
  CHECK(std::find(have.begin(), have.end(), LineScanner::Sse2) != have.end());
#endif
}

TEST_CASE("unfolding matches a plain reference on random input and chunking", "[ics]") {
  for (const LineScanner scanner : scanners()) {
    std::mt19937 rng(20261128);
    // Line-structure bytes often, text bytes (incl. non-ASCII and other control bytes) too.
    const std::string alphabet = "\r\n \t\x0b\x01:;ABKMNNZazz\xC3\xA9-";
    for (int round = 0; round < 3000; ++round) {
      std::string text = (rng() % 10 == 0) ? "\xEF\xBB\xBF" : "";
      const std::size_t length = rng() % 400;
      for (std::size_t i = 0; i < length; ++i) {
        // Runs of letters make lines long enough to cross 64-byte blocks and the limit.
        if (rng() % 3 == 0)
          text += alphabet[rng() % alphabet.size()];
        else
          text += char('A' + rng() % 16);
      }
      const std::size_t max = 8 + rng() % 100;
      INFO("scanner " << int(scanner) << " round " << round << " max " << max);
      CHECK(unfold(text, max, rng, scanner) == reference(text, max));
    }
  }
}

TEST_CASE("every line scanner finds the line ends of large chunks", "[ics]") {
  // Segments of 4 KiB and whole 64-byte words: what the short random texts above rarely reach.
  std::mt19937 rng(7);
  std::string text;
  while (text.size() < 20000) {
    const std::size_t n = rng() % 150;
    text += char('A' + rng() % 13);
    for (std::size_t i = 0; i < n; ++i) text += char('a' + rng() % 26);
    text += (rng() % 5 == 0) ? "\r\n " : (rng() % 2 ? "\r\n" : "\n");
  }
  const Seen want = reference(text, 1000);
  for (const LineScanner scanner : scanners()) {
    LineUnfolder u(1000, scanner);
    Sink sink(1000);
    u.feed(text, sink);
    u.finish(sink);
    INFO("scanner " << int(scanner));
    CHECK(sink.seen == want);
  }
}

TEST_CASE("a CRLF split between chunks is one line end", "[ics]") {
  LineUnfolder u(100);
  Sink sink(100);
  for (std::string_view piece : {"AB\r", "\n CD\r", "\n", "E\r", "\r\nF"}) u.feed(piece, sink);
  u.finish(sink);
  CHECK(sink.seen == Seen{"K4:ABCD", "K1:E", "K1:F"});
}
