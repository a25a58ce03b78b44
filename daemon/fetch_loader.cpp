// FetcherFeedLoader: adapts Fetcher results to App's FeedOutcome.
#include "daemon/fetch_loader.hpp"

namespace cb::daemon {

FetcherFeedLoader::FetcherFeedLoader(FetcherOptions options) : fetcher_(std::move(options)) {}

void FetcherFeedLoader::start(const SourceConfig& source, const ics::IngestOptions& options,
                              std::function<void(FeedOutcome)> done) {
  const std::string key = source.name + '\n' + source.url;
  const bool conditional = haveFullCopy_.contains(key);
  fetcher_.start(
      source, options,
      [this, key, done = std::move(done)](FetchResult r) {
        FeedOutcome out;
        out.bytes = r.bytes;
        out.duration = r.duration;
        switch (r.kind) {
          case FetchResult::Kind::Updated:
            out.kind = FeedOutcome::Kind::Updated;
            out.store = std::move(r.store);
            haveFullCopy_.insert(key);
            break;
          case FetchResult::Kind::NotModified:
            out.kind = FeedOutcome::Kind::NotModified;
            break;
          case FetchResult::Kind::Failed:
            out.kind = FeedOutcome::Kind::Failed;
            out.error = std::move(r.error);
            break;
        }
        done(std::move(out));
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
