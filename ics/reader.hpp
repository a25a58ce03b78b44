// RFC 5545 content-line unfolding over pushed chunks: the hot loop of every ingest.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace cb::ics {

// Turns bytes (any chunking) into logical content lines: CRLF, LF and lone CR
// end a physical line, a physical line starting with SPACE or TAB continues the
// previous one (RFC 5545 3.1), a UTF-8 BOM at the very start is dropped, blank
// lines are skipped. A line is copied only when it is folded or crosses a chunk
// boundary; otherwise the sink sees a view into the caller's bytes.
//
// The sink is called as sink(std::string_view line, bool tooLong); a line longer
// than maxLineBytes is cut there and flagged.
class LineUnfolder {
 public:
  explicit LineUnfolder(std::size_t maxLineBytes) : max_(maxLineBytes) {}

  template <class Sink>
  void feed(std::string_view bytes, Sink&& sink) {
    if (!bomDone_) {
      bytes = stripBom(bytes);
      if (!bomDone_) return;
    }
    const char* p = bytes.data();
    const char* const end = p + bytes.size();
    if (!partial_.empty() || partialTooLong_) {
      // Complete the physical line carried over from the previous chunk.
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
      const char* stop = nl ? nl : end;
      appendPartial(std::string_view(p, std::size_t(stop - p)));
      if (nl == nullptr) return;
      p = nl + 1;
      std::string carried;
      carried.swap(partial_);
      const bool tooLong = partialTooLong_;
      partialTooLong_ = false;
      physical(carried, tooLong, p < end ? int(static_cast<unsigned char>(*p)) : -1, sink);
      carried.clear();
      if (partial_.capacity() < carried.capacity()) partial_.swap(carried);
    }
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
      if (nl == nullptr) {
        appendPartial(std::string_view(p, std::size_t(end - p)));
        return;
      }
      const char* next = nl + 1;
      physical(std::string_view(p, std::size_t(nl - p)), false,
               next < end ? int(static_cast<unsigned char>(*next)) : -1, sink);
      p = next;
    }
  }

  template <class Sink>
  void finish(Sink&& sink) {
    if (!bomDone_) {
      bomDone_ = true;
      std::string head;
      head.swap(bom_);
      feed(head, sink);
    }
    if (!partial_.empty() || partialTooLong_) {
      std::string carried;
      carried.swap(partial_);
      physical(carried, partialTooLong_, -1, sink);
      partialTooLong_ = false;
    }
    flush(sink);
  }

 private:
  std::string_view stripBom(std::string_view bytes) {
    static constexpr std::string_view kBom = "\xEF\xBB\xBF";
    while (!bytes.empty() && bom_.size() < 3) {
      if (bytes.front() != kBom[bom_.size()]) {
        // Not a BOM: give back what was held.
        bomDone_ = true;
        if (!bom_.empty()) {
          partial_ = bom_;
          bom_.clear();
        }
        return bytes;
      }
      bom_ += bytes.front();
      bytes.remove_prefix(1);
    }
    if (bom_.size() == 3) {
      bomDone_ = true;
      bom_.clear();
    }
    return bytes;
  }

  void appendPartial(std::string_view s) {
    if (partialTooLong_) return;
    if (partial_.size() + s.size() > max_ + 2) {
      partial_.append(s.substr(0, max_ + 2 - partial_.size()));
      partialTooLong_ = true;
      return;
    }
    partial_.append(s);
  }

  // One physical line (without its LF); `next` is the byte after the LF, -1 if unknown.
  template <class Sink>
  void physical(std::string_view line, bool tooLong, int next, Sink& sink) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // A lone CR inside the line ends a physical line too (old Mac files, fuzzers).
    if (const void* cr = std::memchr(line.data(), '\r', line.size()); cr != nullptr) {
      const std::size_t at = std::size_t(static_cast<const char*>(cr) - line.data());
      physical(line.substr(0, at), tooLong,
               at + 1 < line.size() ? int(static_cast<unsigned char>(line[at + 1])) : next, sink);
      physical(line.substr(at + 1), tooLong, next, sink);
      return;
    }
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      if (!havePending_) return;  // a continuation of nothing
      line.remove_prefix(1);
      if (pending_.size() + line.size() > max_) {
        pendingTooLong_ = true;
        pending_.append(line.substr(0, max_ - std::min(max_, pending_.size())));
      } else {
        pending_.append(line);
      }
      pendingTooLong_ = pendingTooLong_ || tooLong;
      return;
    }
    flush(sink);
    if (line.empty()) return;
    if (next != -1 && next != ' ' && next != '\t') {
      // Not folded: hand out the view, no copy.
      if (line.size() > max_) {
        sink(line.substr(0, max_), true);
      } else {
        sink(line, tooLong);
      }
      return;
    }
    pending_.assign(line.substr(0, max_));
    pendingTooLong_ = tooLong || line.size() > max_;
    havePending_ = true;
  }

  template <class Sink>
  void flush(Sink& sink) {
    if (!havePending_) return;
    havePending_ = false;
    sink(std::string_view(pending_), pendingTooLong_);
    pendingTooLong_ = false;
  }

  std::size_t max_;
  std::string partial_;  // an incomplete physical line carried between chunks
  bool partialTooLong_ = false;
  std::string pending_;  // a logical line that may still be continued
  bool havePending_ = false;
  bool pendingTooLong_ = false;
  std::string bom_;
  bool bomDone_ = false;
};

}  // namespace cb::ics
