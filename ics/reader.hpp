// RFC 5545 content-line unfolding over pushed chunks: the hot loop of every ingest.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace cb::ics {

// The ways LineEnds can mark line ends; every one a CPU has is tested (tests/ics/test_unfold.cpp).
enum class LineScanner : std::uint8_t {
  Scalar,  // a byte at a time: 32-bit ARM, and any CPU without the others
  Sse2,    // x86 (every x86-64)
  Avx2,    // x86-64 since 2013
  Neon,    // aarch64
};

// Finds line ends (CR, LF) in a chunk: one vector pass marks the CR and LF bytes of a
// segment of the chunk in bit masks, a word per 64 bytes (16 on aarch64), and each line
// then costs a shift and a count of trailing zeros. The pass runs a segment at a time
// so that a chunk of any size needs only a small fixed table.
class LineEnds {
 public:
  LineEnds(const char* p, const char* end, LineScanner scanner)
      : start_(p), end_(end), base_(p), limit_(p), scanner_(scanner) {}

  // The fastest scanner this CPU has.
  [[nodiscard]] static LineScanner best() {
    static const LineScanner chosen = [] {
#if defined(__SSE2__) && defined(__x86_64__)
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") != 0 ? LineScanner::Avx2 : LineScanner::Sse2;
#elif defined(__SSE2__)
      return LineScanner::Sse2;
#elif defined(__aarch64__)
      return LineScanner::Neon;
#else
      return LineScanner::Scalar;
#endif
    }();
    return chosen;
  }

  // Whether this build and CPU can run `scanner`.
  [[nodiscard]] static bool available(LineScanner scanner) {
    switch (scanner) {
      case LineScanner::Scalar:
        return true;
      case LineScanner::Sse2:
#if defined(__SSE2__)
        return true;
#else
        return false;
#endif
      case LineScanner::Avx2:
        return best() == LineScanner::Avx2;
      case LineScanner::Neon:
        return best() == LineScanner::Neon;
    }
    return false;
  }

  // The first CR or LF in [p, end), or end; p never goes back.
  [[gnu::always_inline]] const char* next(const char* p) {
    if (p >= limit_) [[unlikely]] {
      if (p >= end_) return end_;
      fill(p);
    }
    const std::size_t off = std::size_t(p - base_);
    std::size_t w = off / kBytesPerWord;
    std::uint64_t m = words_[w] >> (off % kBytesPerWord * kBitsPerByte);
    if (m != 0) return p + std::size_t(__builtin_ctzll(m)) / kBitsPerByte;
    for (;;) {
      if (++w == count_) [[unlikely]] {
        const char* q = base_ + w * kBytesPerWord;
        if (q >= end_) return end_;
        fill(q);
        w = 0;
      }
      m = words_[w];
      if (m != 0) return base_ + w * kBytesPerWord + std::size_t(__builtin_ctzll(m)) / kBitsPerByte;
    }
  }

 private:
  // One mask word covers kBytesPerWord bytes, kBitsPerByte bits each (all set for CR/LF).
#if defined(__aarch64__)
  static constexpr std::size_t kBytesPerWord = 16, kBitsPerByte = 4;
#else
  static constexpr std::size_t kBytesPerWord = 64, kBitsPerByte = 1;
#endif
  static constexpr std::uint64_t kByteBits = (std::uint64_t(1) << kBitsPerByte) - 1;

  static std::uint64_t wordScalar(const char* p) {
    std::uint64_t m = 0;
    for (std::size_t i = 0; i < kBytesPerWord; ++i)
      if (p[i] == '\n' || p[i] == '\r') m |= kByteBits << (i * kBitsPerByte);
    return m;
  }
#if defined(__SSE2__)
  static std::uint64_t wordSse2(const char* p) {
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    auto hits = [&](int i) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      return std::uint64_t(
          unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)))));
    };
    return hits(0) | hits(1) << 16 | hits(2) << 32 | hits(3) << 48;
  }
#endif
#if defined(__SSE2__) && defined(__x86_64__)
  // One table lookup on each byte's low nibble finds both: the table holds '\n' at 0x0A,
  // '\r' at 0x0D and, elsewhere, a byte whose low nibble differs from its index (bytes of
  // 0x80 and up look up 0, which they never equal).
  [[gnu::target("avx2")]] static void wordsAvx2(const char* p, std::size_t n, std::uint64_t* out) {
    const __m256i table = _mm256_setr_epi8(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\n', 0, 0, '\r', 0, 0,  //
                                           1, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\n', 0, 0, '\r', 0, 0);
    auto hits = [&](const char* q) __attribute__((target("avx2"))) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
      return std::uint64_t(
          unsigned(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, v), v))));
    };
    for (std::size_t i = 0; i < n; ++i, p += 64) out[i] = hits(p) | hits(p + 32) << 32;
  }
#endif
#if defined(__aarch64__)
  static std::uint64_t wordNeon(const char* p) {
    const uint8x16_t v = vld1q_u8(reinterpret_cast<const std::uint8_t*>(p));
    const uint8x16_t hit = vorrq_u8(vceqq_u8(v, vdupq_n_u8('\n')), vceqq_u8(v, vdupq_n_u8('\r')));
    // Narrow each byte's 0x00/0xFF to a nibble: 4 bits per byte.
    return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(hit), 4)), 0);
  }
#endif
  // Runs once per 4 KiB segment, so the switch costs nothing that shows.
  void words(const char* p, std::size_t n, std::uint64_t* out) const {
    switch (scanner_) {
#if defined(__SSE2__) && defined(__x86_64__)
      case LineScanner::Avx2:
        return wordsAvx2(p, n, out);
#endif
#if defined(__SSE2__)
      case LineScanner::Sse2:
        for (std::size_t i = 0; i < n; ++i) out[i] = wordSse2(p + i * kBytesPerWord);
        return;
#endif
#if defined(__aarch64__)
      case LineScanner::Neon:
        for (std::size_t i = 0; i < n; ++i) out[i] = wordNeon(p + i * kBytesPerWord);
        return;
#endif
      default:
        for (std::size_t i = 0; i < n; ++i) out[i] = wordScalar(p + i * kBytesPerWord);
        return;
    }
  }
  static constexpr std::size_t kWords = 4096 / kBytesPerWord;  // a segment: 4 KiB of input

  // Masks the segment of up to kWords words from the one that holds `from` to the end of
  // the chunk; bytes past the end are never marked.
  [[gnu::noinline]] void fill(const char* from) {
    base_ = start_ + std::size_t(from - start_) / kBytesPerWord * kBytesPerWord;
    const std::size_t left = std::size_t(end_ - base_);
    const std::size_t whole = std::min(kWords, left / kBytesPerWord);
    words(base_, whole, words_);
    count_ = whole;
    if (whole < kWords && left % kBytesPerWord != 0) {  // the chunk's tail: a padded copy
      char tail[kBytesPerWord];
      std::memset(tail, 'x', kBytesPerWord);
      std::memcpy(tail, base_ + whole * kBytesPerWord, left % kBytesPerWord);
      words(tail, 1, words_ + count_++);
    }
    limit_ = base_ + count_ * kBytesPerWord;
  }

  const char* start_;
  const char* end_;
  const char* base_;   // words_[0] masks the kBytesPerWord bytes from here
  const char* limit_;  // the end of what words_ masks (may pass end_)
  LineScanner scanner_;
  std::size_t count_ = 0;  // words in words_
  std::uint64_t words_[kWords];
};

// A growable byte buffer whose append is inlined, short copies without a call:
// std::string's append costs a call and several checks, and the ingest appends about
// 750,000 times per 100 MB.
class ByteBuffer {
 public:
  [[gnu::always_inline]] void append(const char* s, std::size_t n) {
    if (n > cap_ - size_) grow(n);
    char* d = data_.get() + size_;
    if (n >= 16 && n <= 128) {  // 16-byte moves, the last one overlapping
      for (std::size_t i = 0; i + 16 < n; i += 16) move16(d + i, s + i);
      move16(d + n - 16, s + n - 16);
    } else if (n >= 8 && n < 16) {  // two overlapping 8-byte moves
      move8(d, s);
      move8(d + n - 8, s + n - 8);
    } else {
      std::memcpy(d, s, n);
    }
    size_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  // A tag byte, s and a '\n' after it.
  [[gnu::always_inline]] void appendLine(char tag, std::string_view s) {
    if (s.size() + 2 > cap_ - size_) grow(s.size() + 2);
    data_[size_++] = tag;
    append(s.data(), s.size());
    data_[size_++] = '\n';
  }
  void clear() { size_ = 0; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::string_view view() const { return {data_.get(), size_}; }

 private:
  [[gnu::always_inline]] static void move8(char* d, const char* s) {
    std::uint64_t v;
    std::memcpy(&v, s, 8);
    std::memcpy(d, &v, 8);
  }
  [[gnu::always_inline]] static void move16(char* d, const char* s) {
    std::uint64_t v[2];
    std::memcpy(v, s, 16);
    std::memcpy(d, v, 16);
  }

  void grow(std::size_t n) {
    const std::size_t cap = std::max({std::size_t(256), cap_ * 2, size_ + n});
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    cap_ = cap;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t cap_ = 0;
};

// The first byte of s at or after `from` that is `a` or `b`, or s.size(): sixteen bytes a
// step, as content lines are short and mostly plain.
inline std::size_t findEither(std::string_view s, std::size_t from, char a, char b) {
  std::size_t i = from;
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)));
    if (mask != 0) return i + std::size_t(__builtin_ctz(unsigned(mask)));
  }
#endif
  while (i < s.size() && s[i] != a && s[i] != b) ++i;
  return i;
}

// The length of a content line's name: up to its first ';' or ':' (the whole line if none).
inline std::size_t findNameEnd(std::string_view line) {
  return findEither(line, 0, ';', ':');
}

// What a line sink answers for a content line's first physical line (see LineSink).
enum class LineVerdict : std::uint8_t { Skip, Keep, AskLast };

// The callback target of LineUnfolder. It decides on each logical line from its first
// physical line, before anything is copied, so the bulk of a feed (DESCRIPTIONs, ATTENDEE
// lists) is only scanned:
//   keep(firstPhysicalLine)      non-empty, not a continuation: Skip, Keep or AskLast
//   last(lastPhysicalLine, bytes)   for AskLast, below: false skips the line
//   line(line, bytes)            a kept logical line
//   skipped(bytes)               a logical line not kept
// `bytes` is the unfolded length; a kept line longer than maxLineBytes is cut there
// (line.size() < bytes). A kept line is copied only when it is folded or crosses a chunk
// boundary; otherwise the sink sees a view into the caller's bytes. The sink's state may
// change in line()/skipped(): keep() is only asked after the previous line was handed out.
//
// AskLast is for lines decided by how they end (an ATTENDEE is read only when it names the
// owner): when the whole line lies in one chunk, in at most kPieces physical lines, last()
// sees its last physical line (without the leading SPACE or TAB) before anything is copied,
// and false skips the line. Otherwise the line is kept without asking; line() decides then.
template <class S>
concept LineSink = requires(S& sink, std::string_view text, std::size_t bytes) {
  { sink.keep(text) } -> std::same_as<LineVerdict>;
  { sink.last(text, bytes) } -> std::same_as<bool>;
  sink.line(text, bytes);
  sink.skipped(bytes);
};

// Turns bytes (any chunking) into logical content lines for a LineSink: CRLF, LF and lone
// CR end a physical line, a physical line starting with SPACE or TAB continues the previous
// one (RFC 5545 3.1), a UTF-8 BOM at the very start is dropped, blank lines are skipped.
class LineUnfolder {
 public:
  using Verdict = LineVerdict;

  explicit LineUnfolder(std::size_t maxLineBytes, LineScanner scanner = LineEnds::best())
      : max_(maxLineBytes), scanner_(scanner) {}

  template <LineSink Sink>
  void feed(std::string_view bytes, Sink& sink) {
    if (!bomDone_) {
      bytes = stripBom(bytes);
      if (!bomDone_) return;
      if (!heldBack_.empty()) {  // bytes that looked like the start of a BOM but were not
        std::string held;
        held.swap(heldBack_);
        scan(held, sink);
      }
    }
    scan(bytes, sink);
  }

  template <LineSink Sink>
  void finish(Sink& sink) {
    if (!bomDone_) {
      bomDone_ = true;
      std::string held;
      held.swap(heldBack_);
      scan(held, sink);
    }
    afterCr_ = false;
    if (inLine_) {
      inLine_ = false;
      if (mode_ == Mode::Undecided) decide(sink);
    }
    endLogical(sink);
  }

 private:
  enum class Mode : std::uint8_t {
    Idle,       // no logical line open: a continuation here continues nothing
    Undecided,  // the first physical line is still arriving (in pending_)
    Keep,       // the logical line so far is in pending_
    Skip,       // dropped: only its length is counted
  };

  std::string_view stripBom(std::string_view bytes) {
    static constexpr std::string_view kBom = "\xEF\xBB\xBF";
    while (!bytes.empty() && heldBack_.size() < 3) {
      if (bytes.front() != kBom[heldBack_.size()]) {
        bomDone_ = true;  // not a BOM: what was held is ordinary input
        return bytes;
      }
      heldBack_ += bytes.front();
      bytes.remove_prefix(1);
    }
    if (heldBack_.size() == 3) {
      bomDone_ = true;
      heldBack_.clear();
    }
    return bytes;
  }

  // Past the line end at `e` (a CR or LF): CRLF is one line end, even split across chunks.
  const char* pastLineEnd(const char* e, const char* end) {
    if (*e == '\n') return e + 1;
    if (e + 1 == end) {
      afterCr_ = true;
      return end;
    }
    return e[1] == '\n' ? e + 2 : e + 1;
  }

  [[gnu::always_inline]] void copyPending(const char* s, std::size_t n) {
    if (pending_.size() < max_) pending_.append(s, std::min(n, max_ - pending_.size()));
  }

  [[gnu::always_inline]] void appendPending(const char* s, const char* e) {
    bytes_ += std::size_t(e - s);
    copyPending(s, std::size_t(e - s));
  }

  template <LineSink Sink>
  void decide(Sink& sink) {
    if (sink.keep(pending_.view()) != Verdict::Skip) {  // AskLast: the line spans chunks
      mode_ = Mode::Keep;
    } else {
      mode_ = Mode::Skip;
      pending_.clear();
    }
  }

  template <LineSink Sink>
  void endLogical(Sink& sink) {
    if (mode_ == Mode::Keep) {
      sink.line(pending_.view(), bytes_);
      pending_.clear();
    } else if (mode_ == Mode::Skip) {
      sink.skipped(bytes_);
    }
    mode_ = Mode::Idle;
  }

  // Past the continuation lines at p of the open logical line, counted (Skip) or added to
  // pending_ (Keep); false when the chunk ends inside one of them.
  template <Mode M>
  [[gnu::always_inline]] bool follow(const char*& p, const char* end, LineEnds& ends) {
    while (p < end && (*p == ' ' || *p == '\t')) {
      const char* s = p + 1;
      const char* e = ends.next(s);
      if constexpr (M == Mode::Skip)
        bytes_ += std::size_t(e - s);
      else
        appendPending(s, e);
      if (e == end) {
        inLine_ = true;
        return false;
      }
      p = pastLineEnd(e, end);
    }
    return true;
  }

  // A folded AskLast line: its physical lines are only noted until last() has answered.
  // False when the line stays open at the chunk's end (carried as a kept line).
  template <LineSink Sink>
  [[gnu::always_inline]] bool askLast(std::string_view first, const char*& p, const char* end,
                                      LineEnds& ends, Sink& sink) {
    const char* starts[kPieces];  // left uninitialized: n says what is set
    std::size_t sizes[kPieces];
    std::size_t n = 0;
    starts[n] = first.data();
    sizes[n++] = first.size();
    while (n < kPieces && p < end && (*p == ' ' || *p == '\t')) {
      const char* s = p + 1;
      const char* e = ends.next(s);
      if (e == end) break;  // the chunk ends inside this one
      bytes_ += std::size_t(e - s);
      starts[n] = s;
      sizes[n++] = std::size_t(e - s);
      p = pastLineEnd(e, end);
    }
    const bool whole = p < end && *p != ' ' && *p != '\t';
    if (whole && !sink.last(std::string_view(starts[n - 1], sizes[n - 1]), bytes_)) {
      sink.skipped(bytes_);
      return true;
    }
    pending_.clear();
    for (std::size_t i = 0; i < n; ++i) copyPending(starts[i], sizes[i]);
    if (!whole && (!follow<Mode::Keep>(p, end, ends) || p == end)) {
      mode_ = Mode::Keep;
      return false;
    }
    sink.line(pending_.view(), bytes_);
    return true;
  }

  // A logical line at a time: its first physical line goes to the sink's keep(), then its
  // continuations are only counted or are copied. Whatever is open when the chunk ends is
  // carried in mode_, bytes_ and pending_.
  template <LineSink Sink>
  void scan(std::string_view bytes, Sink& sink) {
    const char* p = bytes.data();
    const char* const end = p + bytes.size();
    if (p == end) return;
    LineEnds ends(p, end, scanner_);
    if (afterCr_) {
      afterCr_ = false;
      if (*p == '\n') ++p;
    }
    if (inLine_ && p < end) {
      // The rest of a physical line the previous chunk cut.
      const char* e = ends.next(p);
      if (mode_ == Mode::Skip)
        bytes_ += std::size_t(e - p);
      else if (mode_ != Mode::Idle)
        appendPending(p, e);
      if (e == end) return;
      inLine_ = false;
      p = pastLineEnd(e, end);
      if (mode_ == Mode::Undecided) decide(sink);
    }
    if (mode_ != Mode::Idle) {  // the open logical line may go on here
      const bool whole =
          mode_ == Mode::Skip ? follow<Mode::Skip>(p, end, ends) : follow<Mode::Keep>(p, end, ends);
      if (!whole || p == end) return;
      endLogical(sink);
    }
    // Continuations of nothing (after a blank line, or at the start) are dropped; after
    // a logical line p is never at one, which spares the main loop the test.
    auto dropOrphans = [&]() __attribute__((always_inline)) {
      while (p < end && (*p == ' ' || *p == '\t')) {
        const char* e = ends.next(p + 1);
        if (e == end) {
          inLine_ = true;
          return false;
        }
        p = pastLineEnd(e, end);
      }
      return true;
    };
    if (!dropOrphans()) return;
    while (p < end) {
      const char* e = ends.next(p);
      if (e == p) {  // a blank line
        p = pastLineEnd(e, end);
        if (!dropOrphans()) return;
        continue;
      }
      if (e == end) {  // the first physical line goes on in the next chunk
        mode_ = Mode::Undecided;
        bytes_ = 0;
        pending_.clear();
        appendPending(p, e);
        inLine_ = true;
        return;
      }
      const std::string_view first(p, std::size_t(e - p));
      p = pastLineEnd(e, end);
      bytes_ = first.size();
      const Verdict verdict = sink.keep(first);
      if (verdict == Verdict::Skip) {
        if (!follow<Mode::Skip>(p, end, ends) || p == end) {
          mode_ = Mode::Skip;  // the next chunk may continue it
          return;
        }
        sink.skipped(bytes_);
        continue;
      }
      if (p < end && *p != ' ' && *p != '\t') {
        // Surely not folded: hand out the view, no copy.
        if (verdict == Verdict::AskLast && !sink.last(first, bytes_))
          sink.skipped(bytes_);
        else
          sink.line(first.substr(0, std::min(first.size(), max_)), first.size());
        continue;
      }
      if (verdict == Verdict::AskLast) {
        if (!askLast(first, p, end, ends, sink)) return;
        continue;
      }
      pending_.clear();
      pending_.append(first.data(), std::min(first.size(), max_));
      if (!follow<Mode::Keep>(p, end, ends) || p == end) {
        mode_ = Mode::Keep;
        return;
      }
      sink.line(pending_.view(), bytes_);
    }
  }

  static constexpr std::size_t kPieces = 8;  // physical lines of an AskLast line, at most

  std::size_t max_;
  LineScanner scanner_;
  Mode mode_ = Mode::Idle;
  bool inLine_ = false;    // the last chunk ended inside a physical line
  bool afterCr_ = false;   // the last chunk ended with CR: an LF first belongs to it
  ByteBuffer pending_;     // the logical line being kept (at most max_ bytes)
  std::size_t bytes_ = 0;  // unfolded length of the current logical line
  std::string heldBack_;   // what may be a BOM split across chunks
  bool bomDone_ = false;
};

}  // namespace cb::ics
