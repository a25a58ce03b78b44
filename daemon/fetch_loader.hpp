// FetcherFeedLoader: the Fetcher behind App's FeedLoader interface (network and file sources).
#pragma once

#include <memory>
#include <set>
#include <string>

#include "daemon/app.hpp"
#include "daemon/fetcher.hpp"

namespace cb::daemon {

// Conditional requests only once this process has itself received a full
// copy of the source: the first fetch after a start downloads the feed whole,
// so a lost or stale snapshot can never be "confirmed" by a 304.
class FetcherFeedLoader final : public FeedLoader {
 public:
  explicit FetcherFeedLoader(FetcherOptions options);

  void start(const SourceConfig& source, const ics::IngestOptions& options,
             std::function<void(FetchResult)> done) override;
  [[nodiscard]] std::vector<pollfd> pollFds() const override;
  [[nodiscard]] int timeoutMs() const override;
  void process(std::span<const pollfd> ready) override;
  void cancelAll() override;
  [[nodiscard]] const Fetcher& fetcher() const { return fetcher_; }

 private:
  Fetcher fetcher_;
  std::set<std::string> haveFullCopy_;  // "name\nurl" of sources fetched whole since start
};

// A FetcherFeedLoader configured from `config` ([fetch], state_dir).
[[nodiscard]] std::unique_ptr<FeedLoader> createFetcherFeedLoader(const Config& config);

}  // namespace cb::daemon
