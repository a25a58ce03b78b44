// FeedSink: a feed's bytes into ics::Ingest; the file loader runs the same sink over a file.
#include "daemon/feed_sink.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "daemon/fnv.hpp"
#include "daemon/log.hpp"
#include "hal/sys.hpp"

namespace cb::daemon {

using namespace std::chrono;
using SteadyClock = steady_clock;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool istartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string sizeLimitText(std::uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

FetchResult failedResult(const std::string& label, std::string_view reason) {
  FetchResult r;
  r.kind = FetchResult::Kind::Failed;
  r.error = fmt::format("{}: {}", label, reason);
  return r;
}

FeedSink::FeedSink(const ics::IngestOptions& options, std::string name,
                   const FetcherOptions& limits, FetcherStats& stats, WarningDigests& digests)
    : options_(options),
      name_(std::move(name)),
      limits_(limits),
      stats_(stats),
      digests_(digests),
      digest_(kFnvOffset) {}

FeedSink::~FeedSink() = default;

bool FeedSink::feed(std::string_view bytes) {
  if (bytes_ + bytes.size() > limits_.maxBodyBytes) {
    oversize_ = true;
    return false;
  }
  if (!ingest_) {
    ++stats_.parses;
    ingest_ = std::make_unique<ics::Ingest>(options_, [this](std::string_view w) {
      if (++warnings_ <= limits_.maxWarningsLogged) shown_.emplace_back(w);
      digest_ = (digest_ ^ fnv1a(w)) * kFnvPrime;
    });
  }
  ingest_->feed(bytes);
  bytes_ += bytes.size();
  stats_.bytesParsed += bytes.size();
  // Only the tail is kept: enough to see how the stream ends.
  const std::string_view last = bytes.substr(bytes.size() - std::min(bytes.size(), kTail));
  tail_.append(last);
  if (tail_.size() > kTail) tail_.erase(0, tail_.size() - kTail);
  return true;
}

std::optional<ics::EventStore> FeedSink::finish(std::string& reason) {
  if (!ingest_) {
    reason = "empty response (no calendar data)";
    notCalendar_ = true;
    return std::nullopt;
  }
  ics::EventStore store = ingest_->finish();
  ingest_.reset();
  logWarnings();
  if (!store.stats().sawCalendar) {
    reason = "not a calendar (no BEGIN:VCALENDAR)";
    notCalendar_ = true;
    return std::nullopt;
  }
  if (!endsWithEndCalendar()) {
    reason =
        fmt::format("incomplete calendar: it stops after {} bytes without END:VCALENDAR", bytes_);
    return std::nullopt;
  }
  return store;
}

void FeedSink::logWarnings() {
  const auto previous = digests_.find(name_);
  const bool same = previous != digests_.end() && previous->second == digest_;
  if (warnings_ == 0) {
    digests_.erase(name_);
    return;
  }
  digests_[name_] = digest_;
  if (same) {
    log::debug("{}: {} warnings, the same as last time", name_, warnings_);
    return;
  }
  for (const std::string& w : shown_) log::warning("{}: {}", name_, w);
  if (warnings_ > shown_.size())
    log::warning("{}: {} more warnings not shown", name_, warnings_ - shown_.size());
}

// A whole feed ends with END:VCALENDAR; one cut off mid-transfer (a connection
// closed early without a Content-Length) does not.
bool FeedSink::endsWithEndCalendar() const {
  std::string_view t = tail_;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ' ||
                        t.back() == '\t' || t.back() == '\0'))
    t.remove_suffix(1);
  const std::size_t nl = t.find_last_of('\n');
  if (nl == std::string_view::npos && t.size() == kTail) return false;  // a longer last line
  return iequals(nl == std::string_view::npos ? t : t.substr(nl + 1), "END:VCALENDAR");
}

FetchResult loadFeedFile(const FetchJob& job, const FetcherOptions& options, FetcherStats& stats,
                         WarningDigests& digests) {
  const auto t0 = SteadyClock::now();
  const std::string label = sourceLabel(job.source);
  std::string path = job.source.url;
  if (istartsWith(path, "file://")) path.erase(0, 7);
  FetchResult r;
  struct stat st {};
  const hal::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
    r = failedResult(label, fmt::format("cannot open: {}", std::strerror(errno)));
  } else if (!S_ISREG(st.st_mode)) {
    r = failedResult(label, "not a regular file");
  } else {
    Validators now;
    now.fileStamp =
        fmt::format("{}:{}.{:09}:{}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ino);
    now.fetchedAt = unixNow();
    if (job.ifChanged && job.ifChanged->fileStamp == now.fileStamp) {
      r.kind = FetchResult::Kind::NotModified;
    } else {
      FeedSink sink(job.ingest, job.source.name, options, stats, digests);
      std::string buffer(64 * 1024, '\0');
      std::string error;
      for (;;) {
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          error = fmt::format("read error: {}", std::strerror(errno));
          break;
        }
        if (n == 0) break;
        if (!sink.feed(std::string_view(buffer.data(), std::size_t(n)))) {
          error = fmt::format("feed larger than the {} limit (fetch.max_feed_mb)",
                              sizeLimitText(options.maxBodyBytes));
          break;
        }
      }
      std::optional<ics::EventStore> store;
      if (error.empty()) store = sink.finish(error);
      if (store) {
        r.kind = FetchResult::Kind::Updated;
        r.store = std::move(store);
        r.validators = now;
      } else {
        r = failedResult(label, error);
        r.notCalendar = sink.notCalendar();
      }
      r.bytes = sink.bytes();
    }
  }
  r.duration = duration_cast<milliseconds>(SteadyClock::now() - t0);
  return r;
}

}  // namespace cb::daemon
