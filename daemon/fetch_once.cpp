// One source fetched to completion with its own poll() loop, and the fetch settings of a config.
#include <fmt/format.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

#include "daemon/feed_sink.hpp"
#include "daemon/fetcher.hpp"
#include "daemon/log.hpp"

namespace cb::daemon {

FetcherOptions fetcherOptions(const Config& config) {
  FetcherOptions o;
  o.stateDir = config.stateDir;
  o.connectTimeout = config.fetch.connectTimeout;
  o.stallTimeout = config.fetch.stallTimeout;
  o.maxTime = config.fetch.maxTime;
  o.maxBodyBytes = std::uint64_t(config.fetch.maxFeedMb) << 20;
  o.maxRedirects = config.fetch.maxRedirects;
  o.caFile = config.fetch.caFile;
  return o;
}

std::string sourceLabel(const SourceConfig& source) {
  const std::string url = log::redactUrl(source.url);
  return url == source.name ? url : fmt::format("{}: {}", source.name, url);
}

namespace {

template <class Start>
FetchResult runToCompletion(const SourceConfig& source, FetcherOptions options, Start start) {
  Fetcher fetcher(std::move(options));
  FetchResult result;
  start(fetcher, [&](FetchResult r) { result = std::move(r); });
  while (fetcher.busy()) {
    std::vector<pollfd> fds = fetcher.pollFds();
    const int n = ::poll(fds.data(), fds.size(), fetcher.timeoutMs());
    if (n < 0 && errno != EINTR) {
      result = failedResult(sourceLabel(source), fmt::format("poll: {}", std::strerror(errno)));
      fetcher.cancelAll();
      break;
    }
    fetcher.process(fds);
  }
  return result;
}

}  // namespace

FetchResult fetchNow(const SourceConfig& source, const ics::IngestOptions& ingest,
                     FetcherOptions options, bool conditional) {
  return runToCompletion(source, std::move(options), [&](Fetcher& f, auto done) {
    f.start(source, ingest, std::move(done), conditional);
  });
}

FetchResult fetchNow(FetchJob job, FetcherOptions options) {
  const SourceConfig source = job.source;
  return runToCompletion(source, std::move(options),
                         [&](Fetcher& f, auto done) { f.start(std::move(job), std::move(done)); });
}

bool isRemote(std::string_view location) {
  return istartsWith(location, "http://") || istartsWith(location, "https://") ||
         istartsWith(location, "webcal://") || istartsWith(location, "webcals://");
}

}  // namespace cb::daemon
