// Fetcher: feeds (https/http/webcal/file) streamed into ics::Ingest over libcurl's multi API.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "daemon/config.hpp"
#include "daemon/fetch_job.hpp"
#include "ics/store.hpp"

namespace cb::daemon {

// What one fetch of one source produced.
struct FetchResult {
  enum class Kind { Updated, NotModified, Failed };
  Kind kind = Kind::Failed;
  // Updated only: the new store, built from a feed that completed cleanly (2xx,
  // whole body, a calendar that ends with END:VCALENDAR).
  std::optional<ics::EventStore> store;
  // Updated only: the ETag / Last-Modified (a file's stamp) of this download, for
  // the next conditional request; the daemon keeps them in the state dir.
  Validators validators;
  // Failed only: one line, "name: scheme://host/…: reason"; never a URL's path,
  // query, user info or a credential.
  std::string error;
  // Failed only: the transfer worked but what came was not a calendar at all.
  bool notCalendar = false;
  // Failed with 429 or 503 and a Retry-After header: how long the server asks
  // us to wait (1 s to 1 day). A polite scheduler waits at least that long.
  std::optional<std::chrono::seconds> retryAfter;
  long httpStatus = 0;      // the final response's status; 0 for files and transport errors
  std::uint64_t bytes = 0;  // body bytes parsed (after gzip/deflate decoding); 0 on NotModified
  std::chrono::milliseconds duration{};
};

struct FetcherOptions {
  // Where ETag/Last-Modified (and a file's size/mtime) are kept, one small
  // file per source under `stateDir/feeds/`. Empty: nothing is remembered and
  // every fetch is a full download.
  std::filesystem::path stateDir;
  std::chrono::milliseconds connectTimeout{15000};
  // A transfer that receives nothing (no header, no body byte) for this long
  // is abandoned: a server that accepted and went silent, or stopped midway.
  std::chrono::milliseconds stallTimeout{30000};
  std::chrono::milliseconds maxTime{std::chrono::minutes{10}};  // a whole transfer
  std::uint64_t maxBodyBytes = 128ull << 20;  // decoded body; past it the fetch fails
  long maxRedirects = 5;
  // Conditional requests are used only while the last full download is younger
  // than this: ingest drops events beyond its horizon, so an old store must be
  // rebuilt now and then even when the feed did not change.
  std::chrono::seconds revalidateAfter{std::chrono::hours{24}};
  // Transfers at once; more wait their turn (their stall clock starts when
  // they do). libcurl resolves host names in a short-lived thread per
  // transfer, so 1 keeps the daemon within its two-thread budget.
  std::size_t maxConcurrent = 1;
  std::string caFile;  // empty: the system's CA bundle
  std::string caPath;
  std::size_t maxWarningsLogged = 20;  // per fetch; the rest are counted
};

// The fetch settings of a config ([fetch] table and state_dir).
[[nodiscard]] FetcherOptions fetcherOptions(const Config& config);

// What the fetcher has done, for tests and monitoring.
struct FetcherStats {
  std::uint64_t started = 0;
  std::uint64_t updated = 0;
  std::uint64_t notModified = 0;
  std::uint64_t failed = 0;
  std::uint64_t parses = 0;       // ics::Ingest instances created
  std::uint64_t bytesParsed = 0;  // bytes fed to them
};

// Fetches sources without threads: the caller's poll() loop watches
// pollFds() with timeoutMs() and calls process() after every wake-up.
// Completion callbacks run only from process(), never from start(), and may
// call start() or cancelAll() themselves.
//
// Conditional requests: with `conditional` the fetcher sends the ETag /
// Last-Modified it kept from this source's last full download and reports a
// 304 as NotModified without parsing anything. Pass `conditional = false`
// when you do not hold the store of that download (first start, lost
// snapshot): the feed is then downloaded whole.
class Fetcher {
 public:
  explicit Fetcher(FetcherOptions options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Starts a fetch; one of the same source still in flight is cancelled first
  // (its callback is not called). Reads and writes no file but a file source.
  void start(FetchJob job, std::function<void(FetchResult)> done);
  // The same for `source` in this process (the CLI, tests): its credential file and
  // the validators in stateDir are read here, and an Updated result's validators
  // are written back.
  void start(const SourceConfig& source, const ics::IngestOptions& ingest,
             std::function<void(FetchResult)> done, bool conditional = true);
  // Drops every fetch in flight; their callbacks are not called.
  void cancelAll();

  [[nodiscard]] std::vector<pollfd> pollFds() const;  // the sockets libcurl wants watched now
  [[nodiscard]] int timeoutMs() const;                // for poll(); -1 when idle
  // Call after every poll() wake-up with the descriptors that have revents
  // (any others are ignored; empty on a time-out).
  void process(std::span<const pollfd> fds);
  [[nodiscard]] bool busy() const;
  // True once a network source made this fetcher set up libcurl (and TLS):
  // file sources alone never do, which spares a daemon on local files the memory.
  [[nodiscard]] bool networkStarted() const;
  [[nodiscard]] const FetcherStats& stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Fetches one source to completion with its own poll() loop: the CLI and tests
// (validators and credentials from files) and the fetch child (a job).
[[nodiscard]] FetchResult fetchNow(const SourceConfig& source, const ics::IngestOptions& ingest,
                                   FetcherOptions options = {}, bool conditional = true);
[[nodiscard]] FetchResult fetchNow(FetchJob job, FetcherOptions options);

// "name: scheme://host/…": what a log line may say about a source.
[[nodiscard]] std::string sourceLabel(const SourceConfig& source);

// True for URLs the fetcher downloads (http, https, webcal, webcals).
[[nodiscard]] bool isRemote(std::string_view location);

}  // namespace cb::daemon
