// FetcherFeedLoader: the Fetcher behind App's FeedLoader, conditional only after a whole copy.
#include "daemon/fetch_loader.hpp"

namespace cb::daemon {

FetcherFeedLoader::FetcherFeedLoader(FetcherOptions options) : fetcher_(std::move(options)) {}

void FetcherFeedLoader::start(const SourceConfig& source, const ics::IngestOptions& options,
                              std::function<void(FetchResult)> done) {
  const std::string key = source.name + '\n' + source.url;
  const bool conditional = haveFullCopy_.contains(key);
  fetcher_.start(
      source, options,
      [this, key, done = std::move(done)](FetchResult r) {
        if (r.kind == FetchResult::Kind::Updated) haveFullCopy_.insert(key);
        done(std::move(r));
      },
      conditional);
}

std::vector<pollfd> FetcherFeedLoader::pollFds() const {
  return fetcher_.pollFds();
}

int FetcherFeedLoader::timeoutMs() const {
  return fetcher_.timeoutMs();
}

void FetcherFeedLoader::process(std::span<const pollfd> ready) {
  fetcher_.process(ready);
}

void FetcherFeedLoader::cancelAll() {
  fetcher_.cancelAll();
}

std::unique_ptr<FeedLoader> createFetcherFeedLoader(const Config& config) {
  return std::make_unique<FetcherFeedLoader>(fetcherOptions(config));
}

}  // namespace cb::daemon
