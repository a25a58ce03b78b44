// ChildFeedLoader: each refresh fetched and ingested in a short-lived, fenced child process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "daemon/app.hpp"
#include "daemon/fetcher.hpp"

namespace cb::daemon {

// What a fetch child may use. The child is a fork of the daemon (no exec: it
// needs nothing the daemon has not already loaded, and the daemon's pages are
// shared until written), so its limits are counted on top of the daemon's own.
struct ChildLimits {
  // Memory (RLIMIT_DATA) beyond the daemon's own; the address space (RLIMIT_AS)
  // gets twice that and 128 MiB more for libraries, a thread's stack and arena.
  std::uint64_t memoryBytes = 256ull << 20;
  std::chrono::seconds cpu{120};  // CPU time: SIGXCPU, then SIGKILL a second later
  unsigned openFiles = 64;
  // The system-call allow-list (fetch_seccomp.hpp); off only in tests that
  // need a call it forbids.
  bool seccomp = true;
  // The daemon ends a child that outlives the fetch's own limits (connect time-out
  // plus the whole-transfer limit) by this much: a child stuck in a loop or a
  // blocked system call costs one failed refresh, never the loop.
  std::chrono::milliseconds grace{std::chrono::seconds{30}};
};

// Spawns one child per refresh: libcurl, TLS, decompression and ics::Ingest run
// there, and the daemon never maps them; the child's peak memory leaves with it.
// The child sends one message (fetch_protocol.hpp) on a pipe and exits; the
// daemon watches the pipe and a pidfd in its poll loop and swaps a store in only
// from a complete, checked message. A child that crashes, hangs or hits a limit
// is one failed refresh whose reason names the signal, the limit or the time-out.
//
// Conditional requests only once this process has itself received a full copy
// of the source: the first fetch after a start downloads the feed whole, so a
// lost or stale snapshot can never be "confirmed" by a 304.
class ChildFeedLoader final : public FeedLoader {
 public:
  ChildFeedLoader(FetcherOptions options, ChildLimits limits = {});
  ~ChildFeedLoader() override;
  ChildFeedLoader(const ChildFeedLoader&) = delete;
  ChildFeedLoader& operator=(const ChildFeedLoader&) = delete;

  void start(const SourceConfig& source, const ics::IngestOptions& options,
             std::function<void(FetchResult)> done) override;
  [[nodiscard]] std::vector<pollfd> pollFds() const override;
  [[nodiscard]] int timeoutMs() const override;
  void process(std::span<const pollfd> ready) override;
  // Kills every child (SIGKILL) and reaps it; their callbacks are not called.
  void cancelAll() override;

  // The children running now, for tests and monitoring.
  [[nodiscard]] std::vector<pid_t> childPids() const;
  [[nodiscard]] std::uint64_t childrenStarted() const { return started_; }

  struct Child;
  struct Request;

 private:
  void launchQueued();
  void launch(Request request);
  void cancel(const std::string& name);

  FetcherOptions options_;
  ChildLimits limits_;
  std::vector<std::unique_ptr<Child>> running_;
  std::deque<Request> queued_;
  std::set<std::string> haveFullCopy_;  // "name\nurl" of sources fetched whole since start
  std::uint64_t started_ = 0;
};

// False in sanitizer builds, whose shadow memory no address-space limit can hold.
[[nodiscard]] bool childAddressSpaceLimited();

// A ChildFeedLoader configured from `config` ([fetch], state_dir).
[[nodiscard]] std::unique_ptr<FeedLoader> createChildFeedLoader(const Config& config);

}  // namespace cb::daemon
