// ChildFeedLoader: each refresh fetched and ingested in a short-lived, exec'd and fenced child.
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
#include "daemon/fetch_protocol.hpp"
#include "daemon/fetcher.hpp"

namespace cb::daemon {

// Spawns one child per refresh: `calendarbot fetch-child`, exec'd from this
// binary, so it starts from a clean image and holds none of the daemon's memory
// nor another source's credentials. libcurl, TLS, decompression and ics::Ingest
// run there, and the daemon never maps them; the child's peak memory leaves with it.
//
// The daemon reads the source's credential file and its validators, and sends
// exactly that one source's request on the child's stdin (never argv or the
// environment). The child fences itself (limits, no_new_privs, Landlock: read-only
// access to libraries and resolver/TLS configuration; seccomp), fetches, sends one
// result (fetch_protocol.hpp) on fd 3 and exits. It opens nothing in the state
// dir: the daemon keeps the validators and the snapshot.
//
// The daemon watches the result pipe and a pidfd in its poll loop and swaps a
// store in only from a complete, checked message. A child that crashes, hangs or
// hits a limit is one failed refresh whose reason names the signal, the limit or
// the time-out.
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
  std::string program_;               // what is exec'd
  std::vector<std::string> environ_;  // the daemon's, without systemd's sockets and credentials
  std::vector<std::unique_ptr<Child>> running_;
  std::deque<Request> queued_;
  struct Unstarted {
    std::string name;
    std::function<void(FetchResult)> done;
    FetchResult result;
  };
  std::deque<Unstarted> failedToStart_;  // reported from the next process(), never from start()
  std::set<std::string> haveFullCopy_;   // "name\nurl" of sources fetched whole since start
  std::uint64_t started_ = 0;
};

// False in sanitizer builds, whose shadow memory no address-space limit can hold.
[[nodiscard]] bool childAddressSpaceLimited();

// The [fetch] limits of a fetch child: child_memory_mb, child_cpu_s.
[[nodiscard]] ChildLimits childLimits(const Config& config);

// A ChildFeedLoader configured from `config` ([fetch], state_dir).
[[nodiscard]] std::unique_ptr<FeedLoader> createChildFeedLoader(const Config& config);

}  // namespace cb::daemon
