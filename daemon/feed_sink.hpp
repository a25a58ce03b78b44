// FeedSink (bytes → ics::Ingest with the size limit and completeness check) and the file loader.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/fetch_job.hpp"
#include "daemon/fetcher.hpp"
#include "ics/store.hpp"

namespace cb::daemon {

// Per source name: a hash of the warnings its last complete feed gave, so a feed
// refetched every few minutes tells the journal about its bad events once.
using WarningDigests = std::map<std::string, std::uint64_t>;

class FeedSink {
 public:
  FeedSink(const ics::IngestOptions& options, std::string name, const FetcherOptions& limits,
           FetcherStats& stats, WarningDigests& digests);
  ~FeedSink();
  FeedSink(const FeedSink&) = delete;
  FeedSink& operator=(const FeedSink&) = delete;

  // False once the body is over the limit: the caller aborts the transfer.
  [[nodiscard]] bool feed(std::string_view bytes);

  [[nodiscard]] bool oversize() const { return oversize_; }
  // finish() found no calendar at all (as opposed to a cut-off one).
  [[nodiscard]] bool notCalendar() const { return notCalendar_; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

  // The store when the stream was a whole calendar; otherwise `reason` says why not.
  [[nodiscard]] std::optional<ics::EventStore> finish(std::string& reason);

 private:
  static constexpr std::size_t kTail = 64;
  void logWarnings();
  [[nodiscard]] bool endsWithEndCalendar() const;

  const ics::IngestOptions& options_;
  std::string name_;
  const FetcherOptions& limits_;
  FetcherStats& stats_;
  WarningDigests& digests_;
  std::unique_ptr<ics::Ingest> ingest_;
  std::uint64_t bytes_ = 0;
  std::size_t warnings_ = 0;
  std::vector<std::string> shown_;
  std::uint64_t digest_;
  bool oversize_ = false;
  bool notCalendar_ = false;
  std::string tail_;
};

// Reads a file source into a store (NotModified when its size, mtime and inode
// match job.ifChanged); the new validators come back in the result.
[[nodiscard]] FetchResult loadFeedFile(const FetchJob& job, const FetcherOptions& options,
                                       FetcherStats& stats, WarningDigests& digests);

// "128 MiB", "64 KiB", "100 bytes": a limit as the config spells it.
[[nodiscard]] std::string sizeLimitText(std::uint64_t bytes);

// A failed result: "label: reason".
[[nodiscard]] FetchResult failedResult(const std::string& label, std::string_view reason);

// Case-insensitive ASCII comparisons (header names, URL schemes, END:VCALENDAR).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);
[[nodiscard]] bool istartsWith(std::string_view s, std::string_view prefix);

}  // namespace cb::daemon
