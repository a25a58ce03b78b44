// Fetcher: libcurl multi (socket-action API) streaming feeds into ics::Ingest, no threads.
#include "daemon/fetcher.hpp"

#include "daemon/curl_lib.hpp"
#include "daemon/feed_sink.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <utility>

#include "calendarbot_config.h"
#include "daemon/log.hpp"
#include "daemon/net_policy.hpp"
#include "hal/sys.hpp"

namespace cb::daemon {
namespace {

using namespace std::chrono;
using SteadyClock = steady_clock;
namespace fs = std::filesystem;

struct EasyDeleter {
  void operator()(CURL* c) const { curl().easy_cleanup(c); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { curl().multi_cleanup(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl().slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// libcurl's option setters are variadic: only long, curl_off_t and pointers
// may pass through them (an int would be read as a long).
template <class T>
CURLcode setopt(CURL* e, CURLoption option, T value) {
  static_assert(std::is_pointer_v<T> || std::is_same_v<T, long> || std::is_same_v<T, curl_off_t>);
  return curl().easy_setopt(e, option, value);
}

template <class T>
CURLMcode setopt(CURLM* m, CURLMoption option, T value) {
  static_assert(std::is_pointer_v<T> || std::is_same_v<T, long>);
  return curl().multi_setopt(m, option, value);
}

// webcal(s):// is https:// under another name.
std::string httpUrl(std::string_view url) {
  if (istartsWith(url, "webcal://")) return "https://" + std::string(url.substr(9));
  if (istartsWith(url, "webcals://")) return "https://" + std::string(url.substr(10));
  return std::string(url);
}

std::string oneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Retry-After: delta-seconds or an HTTP date; clamped to [1 s, 1 day].
std::optional<seconds> parseRetryAfter(const std::string& value) {
  if (value.empty()) return std::nullopt;
  long long s = 0;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    s = std::atoll(value.substr(0, 12).c_str());
  } else {
    const time_t when = curl().getdate(value.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    s = (long long)when - unixNow();
  }
  return seconds{std::clamp<long long>(s, 1, 24 * 3600)};
}

// ---------------------------------------------------------------------------

struct Transfer {
  Transfer(FetchJob j, std::function<void(FetchResult)> callback, const FetcherOptions& options,
           FetcherStats& stats, WarningDigests& digests)
      : job(std::move(j)),
        source(job.source),
        label(sourceLabel(source)),
        done(std::move(callback)),
        sink(job.ingest, source.name, options, stats, digests),
        started(SteadyClock::now()),
        lastActivity(started) {}

  FetchJob job;
  const SourceConfig& source;
  std::string label;
  std::function<void(FetchResult)> done;
  FeedSink sink;
  SteadyClock::time_point started;
  EasyPtr easy;
  SlistPtr headers;
  Validators sent;                   // what the conditional request carried (empty: unconditional)
  std::vector<std::string> secrets;  // text that must never reach an error message
  SteadyClock::time_point lastActivity;  // the stall clock: the last byte received
  bool statusChecked = false;
  bool statusRejected = false;
  bool stalled = false;
  bool allowLocal = false;  // the configured url is local: so may its redirects be
  char errorBuffer[CURL_ERROR_SIZE] = {};
};

}  // namespace

struct Fetcher::Impl {
  // libcurl (and the TLS library under it) is loaded and initialised only when
  // a network source is first fetched: file sources never touch it.
  explicit Impl(FetcherOptions o) : options(std::move(o)) {}
  ~Impl() { cancelAll(); }

  // The multi handle, created on first use.
  [[nodiscard]] CURLM* multiHandle() {
    if (multi) return multi.get();
    multi.reset(curl().multi_init());
    setopt(multi.get(), CURLMOPT_SOCKETFUNCTION, &Impl::onSocket);
    setopt(multi.get(), CURLMOPT_SOCKETDATA, this);
    setopt(multi.get(), CURLMOPT_TIMERFUNCTION, &Impl::onTimer);
    setopt(multi.get(), CURLMOPT_TIMERDATA, this);
    // Feeds refresh every few minutes: a large idle connection pool buys nothing.
    setopt(multi.get(), CURLMOPT_MAXCONNECTS, 4L);
    return multi.get();
  }

  struct FileJob {
    FetchJob job;
    std::function<void(FetchResult)> done;
  };
  struct Ready {
    std::function<void(FetchResult)> done;
    FetchResult result;
  };

  // libcurl's callbacks are C: nothing may unwind through them. What throws fails the transfer.
  static int onSocket(CURL*, curl_socket_t s, int what, void* userp, void*) noexcept {
    try {
      auto* self = static_cast<Impl*>(userp);
      if (what == CURL_POLL_REMOVE) {
        self->sockets.erase(s);
      } else {
        short events = 0;
        if (what & CURL_POLL_IN) events |= POLLIN;
        if (what & CURL_POLL_OUT) events |= POLLOUT;
        self->sockets[s] = events;
      }
      return 0;
    } catch (...) {
      return -1;
    }
  }

  // Every connection, the first and each redirect's: a feed not configured on a local address
  // reaches none (a redirect to 127.0.0.1 or to a cloud metadata service is refused).
  static curl_socket_t onOpenSocket(void* userp, curlsocktype, curl_sockaddr* a) noexcept {
    const auto& t = *static_cast<const Transfer*>(userp);
    if (!t.allowLocal && isLocalAddress(&a->addr, a->addrlen)) {
      try {
        log::warning("{}: connection to a loopback or link-local address refused", t.label);
      } catch (...) {
      }
      return CURL_SOCKET_BAD;
    }
    return ::socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
  }

  static int onTimer(CURLM*, long ms, void* userp) noexcept {
    auto* self = static_cast<Impl*>(userp);
    if (ms < 0)
      self->deadline.reset();
    else
      self->deadline = SteadyClock::now() + milliseconds(ms);
    return 0;
  }

  static std::size_t onHeader(char*, std::size_t size, std::size_t count, void* userp) noexcept {
    static_cast<Transfer*>(userp)->lastActivity = SteadyClock::now();
    return size * count;
  }

  static std::size_t onWrite(char* data, std::size_t size, std::size_t count,
                             void* userp) noexcept {
    try {
      return consume(*static_cast<Transfer*>(userp), data, size * count);
    } catch (...) {
      return 0;  // CURLE_WRITE_ERROR: this transfer fails, the last good data stays
    }
  }

  static std::size_t consume(Transfer& t, char* data, std::size_t len) {
    t.lastActivity = SteadyClock::now();
    if (!t.statusChecked) {
      t.statusChecked = true;
      long status = 0;
      curl().easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
      // An error page is not parsed (or even read): the status says it all.
      if (status / 100 != 2) {
        t.statusRejected = true;
        return 0;
      }
    }
    if (!t.sink.feed(std::string_view(data, len))) return 0;
    return len;
  }

  void cancel(const std::string& name) {
    for (auto it = transfers.begin(); it != transfers.end();) {
      if ((*it)->source.name == name) {
        curl().multi_remove_handle(multi.get(), (*it)->easy.get());
        it = transfers.erase(it);
      } else {
        ++it;
      }
    }
    std::erase_if(files, [&](const FileJob& f) { return f.job.source.name == name; });
    std::erase_if(queued, [&](const auto& t) { return t->source.name == name; });
  }

  // Moves queued transfers into libcurl while there is room.
  void pump() {
    while (!queued.empty() && transfers.size() < std::max<std::size_t>(1, options.maxConcurrent)) {
      std::unique_ptr<Transfer> t = std::move(queued.front());
      queued.pop_front();
      t->started = t->lastActivity = SteadyClock::now();  // the stall clock starts now
      const CURLMcode rc = curl().multi_add_handle(multiHandle(), t->easy.get());
      if (rc != CURLM_OK) {
        ready.push_back({std::move(t->done), failedResult(t->label, curl().multi_strerror(rc))});
        continue;
      }
      transfers.push_back(std::move(t));
    }
  }

  void cancelAll() {
    for (auto& t : transfers) curl().multi_remove_handle(multi.get(), t->easy.get());
    transfers.clear();
    queued.clear();
    files.clear();
    ready.clear();
    ++generation;
  }

  // Configures a transfer; false (with `error`) when it cannot even start.
  bool setup(Transfer& t, std::string& error) {
    if (loadCurl(error) == nullptr) return false;
    CURL* e = curl().easy_init();
    if (e == nullptr) {
      error = "libcurl could not create a transfer";
      return false;
    }
    t.easy.reset(e);
    const std::string url = httpUrl(t.source.url);
    // Parts of the URL that may be secret: user info, path and query.
    if (const std::size_t scheme = url.find("://"); scheme != std::string::npos) {
      const std::string_view rest = std::string_view(url).substr(scheme + 3);
      const std::size_t slash = rest.find_first_of("/?#");
      const std::string_view authority = rest.substr(0, slash);
      if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos)
        t.secrets.emplace_back(authority.substr(0, at));
      if (slash != std::string_view::npos && rest.size() - slash > 1)
        t.secrets.emplace_back(rest.substr(slash));
    }
    setopt(e, CURLOPT_URL, url.c_str());
    setopt(e, CURLOPT_PRIVATE, &t);
    setopt(e, CURLOPT_WRITEFUNCTION, &Impl::onWrite);
    setopt(e, CURLOPT_WRITEDATA, &t);
    t.allowLocal = isLocalUrl(url);
    setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::onOpenSocket);
    setopt(e, CURLOPT_OPENSOCKETDATA, &t);
    setopt(e, CURLOPT_ERRORBUFFER, t.errorBuffer);
    setopt(e, CURLOPT_NOSIGNAL, 1L);
    setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    setopt(e, CURLOPT_MAXREDIRS, options.maxRedirects);
    // An https feed never follows a redirect down to plain http.
    setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, istartsWith(url, "https://") ? "https" : "http,https");
    setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
    setopt(e, CURLOPT_CONNECTTIMEOUT_MS, long(options.connectTimeout.count()));
    setopt(e, CURLOPT_HEADERFUNCTION, &Impl::onHeader);
    setopt(e, CURLOPT_HEADERDATA, &t);
    setopt(e, CURLOPT_TIMEOUT_MS, long(options.maxTime.count()));
    setopt(e, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes));
    setopt(e, CURLOPT_USERAGENT, "calendarbot/" CB_VERSION);
    setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.caFile.empty()) setopt(e, CURLOPT_CAINFO, options.caFile.c_str());
    if (!options.caPath.empty()) setopt(e, CURLOPT_CAPATH, options.caPath.c_str());

    if (t.job.auth == FetchJob::Auth::Bearer) {
      setopt(e, CURLOPT_HTTPAUTH, long(CURLAUTH_BEARER));
      setopt(e, CURLOPT_XOAUTH2_BEARER, t.job.secret.c_str());
      t.secrets.push_back(t.job.secret);
    } else if (t.job.auth == FetchJob::Auth::Basic) {
      setopt(e, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
      setopt(e, CURLOPT_USERNAME, t.source.username.c_str());
      setopt(e, CURLOPT_PASSWORD, t.job.secret.c_str());
      t.secrets.push_back(t.job.secret);
    }

    curl_slist* list = curl().slist_append(nullptr, "Accept: text/calendar, */*;q=0.5");
    if (const std::optional<Validators>& v = t.job.ifChanged) {
      t.sent = *v;
      if (!v->etag.empty())
        list = curl().slist_append(list, fmt::format("If-None-Match: {}", v->etag).c_str());
      if (!v->lastModified.empty())
        list = curl().slist_append(list,
                                   fmt::format("If-Modified-Since: {}", v->lastModified).c_str());
    }
    t.headers.reset(list);
    setopt(e, CURLOPT_HTTPHEADER, t.headers.get());
    return true;
  }

  static std::string header(CURL* e, const char* name) {
    curl_header* h = nullptr;
    if (curl().easy_header(e, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == nullptr)
      return {};
    return oneLine(h->value);
  }

  // The libcurl error text when it gives nothing away, else the generic one.
  static std::string curlText(const Transfer& t, CURLcode code) {
    std::string text = oneLine(t.errorBuffer);
    for (const std::string& s : t.secrets)
      if (!s.empty() && text.find(s) != std::string::npos) text.clear();
    return text.empty() ? curl().easy_strerror(code) : text;
  }

  std::string describe(const Transfer& t, CURLcode code) const {
    switch (code) {
      case CURLE_OPERATION_TIMEDOUT:
        return fmt::format("timed out after {} bytes ({})", t.sink.bytes(), curlText(t, code));
      case CURLE_PARTIAL_FILE:
        return fmt::format("connection closed after {} bytes, before the whole body arrived",
                           t.sink.bytes());
      case CURLE_TOO_MANY_REDIRECTS:
        return fmt::format("more than {} redirects (a redirect loop?)", options.maxRedirects);
      case CURLE_COULDNT_RESOLVE_HOST:
        return "cannot resolve the host name (offline?)";
      case CURLE_COULDNT_CONNECT:
        return fmt::format("cannot connect ({})", curlText(t, code));
      case CURLE_UNSUPPORTED_PROTOCOL:
        return fmt::format("unsupported protocol or a redirect away from https ({})",
                           curlText(t, code));
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        return fmt::format("TLS failed ({})", curlText(t, code));
      default:
        return curlText(t, code);
    }
  }

  FetchResult complete(Transfer& t, CURLcode code) {
    long status = 0;
    curl().easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    FetchResult r;
    if (t.stalled) {
      r = failedResult(t.label,
                       fmt::format("stalled: nothing received for {:.3g} s, after {} bytes",
                                   double(options.stallTimeout.count()) / 1000, t.sink.bytes()));
    } else if (t.sink.oversize() || code == CURLE_FILESIZE_EXCEEDED) {
      r = failedResult(t.label, fmt::format("feed larger than the {} limit (fetch.max_feed_mb)",
                                            sizeLimitText(options.maxBodyBytes)));
    } else if (code == CURLE_OK && status == 304) {
      if (!t.sent.empty())
        r.kind = FetchResult::Kind::NotModified;
      else
        r = failedResult(t.label, "HTTP 304 to a request that was not conditional");
    } else if (t.statusRejected || (code == CURLE_OK && status / 100 != 2)) {
      std::string hint;
      if (status == 401 || status == 403)
        hint = " (check username/password_file or token_file)";
      else if (status == 404 || status == 410)
        hint = " (the feed's URL is wrong or was revoked)";
      std::optional<seconds> retryAfter;
      if (status == 429 || status == 503)
        retryAfter = parseRetryAfter(header(t.easy.get(), "Retry-After"));
      if (retryAfter)
        hint = fmt::format(" (the server asks to retry after {} s)", retryAfter->count());
      r = failedResult(t.label, fmt::format("HTTP {}{}", status, hint));
      r.retryAfter = retryAfter;
    } else if (code != CURLE_OK) {
      r = failedResult(t.label, describe(t, code));
    } else {
      std::string reason;
      std::optional<ics::EventStore> store = t.sink.finish(reason);
      if (!store) {
        r = failedResult(t.label, reason);
        r.notCalendar = t.sink.notCalendar();
      } else {
        r.kind = FetchResult::Kind::Updated;
        r.store = std::move(store);
        r.validators.etag = header(t.easy.get(), "ETag");
        r.validators.lastModified = header(t.easy.get(), "Last-Modified");
        r.validators.fetchedAt = unixNow();
      }
    }
    r.httpStatus = status;
    r.bytes = r.kind == FetchResult::Kind::NotModified ? 0 : t.sink.bytes();
    r.duration = duration_cast<milliseconds>(SteadyClock::now() - t.started);
    return r;
  }

  void count(const FetchResult& r) {
    switch (r.kind) {
      case FetchResult::Kind::Updated:
        ++stats.updated;
        break;
      case FetchResult::Kind::NotModified:
        ++stats.notModified;
        break;
      case FetchResult::Kind::Failed:
        ++stats.failed;
        break;
    }
  }

  FetcherOptions options;
  MultiPtr multi;
  std::map<curl_socket_t, short> sockets;
  std::optional<SteadyClock::time_point> deadline;
  std::vector<std::unique_ptr<Transfer>> transfers;  // in libcurl's hands
  std::deque<std::unique_ptr<Transfer>> queued;      // waiting for room (maxConcurrent)
  std::deque<FileJob> files;
  std::deque<Ready> ready;  // finished before they began (bad credentials file …)
  std::uint64_t generation = 0;
  FetcherStats stats;
  WarningDigests warningDigests;
};

Fetcher::Fetcher(FetcherOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Fetcher::~Fetcher() = default;

void Fetcher::start(FetchJob job, std::function<void(FetchResult)> done) {
  Impl& m = *impl_;
  ++m.stats.started;
  m.cancel(job.source.name);
  if (!isRemote(job.source.url)) {
    m.files.push_back({std::move(job), std::move(done)});
    return;
  }
  auto t = std::make_unique<Transfer>(std::move(job), std::move(done), m.options, m.stats,
                                      m.warningDigests);
  std::string error;
  if (!m.setup(*t, error)) {
    m.ready.push_back({std::move(t->done), failedResult(t->label, error)});
    return;
  }
  m.queued.push_back(std::move(t));
  m.pump();
}

void Fetcher::start(const SourceConfig& source, const ics::IngestOptions& ingest,
                    std::function<void(FetchResult)> done, bool conditional) {
  const FetcherOptions& o = impl_->options;
  std::string error;
  FetchJob job = prepareFetchJob(source, ingest, o.stateDir, o.revalidateAfter, conditional, error);
  if (!error.empty()) {
    ++impl_->stats.started;
    impl_->cancel(source.name);
    impl_->ready.push_back({std::move(done), failedResult(sourceLabel(source), error)});
    return;
  }
  // The validators of what was downloaded whole are kept for the next conditional request.
  start(std::move(job), [stateDir = o.stateDir, source, done = std::move(done)](FetchResult r) {
    if (r.kind == FetchResult::Kind::Updated) saveValidators(stateDir, source, r.validators);
    done(std::move(r));
  });
}

void Fetcher::cancelAll() {
  impl_->cancelAll();
}

std::vector<pollfd> Fetcher::pollFds() const {
  std::vector<pollfd> fds;
  fds.reserve(impl_->sockets.size());
  for (const auto& [fd, events] : impl_->sockets) fds.push_back({fd, events, 0});
  return fds;
}

int Fetcher::timeoutMs() const {
  const Impl& m = *impl_;
  if (!m.files.empty() || !m.ready.empty()) return 0;
  if (m.transfers.empty()) return -1;  // idle: libcurl's housekeeping can wait
  // The sooner of libcurl's timer and the first stall deadline.
  SteadyClock::time_point wake = m.transfers.front()->lastActivity + m.options.stallTimeout;
  for (const auto& t : m.transfers) wake = std::min(wake, t->lastActivity + m.options.stallTimeout);
  if (m.deadline) wake = std::min(wake, *m.deadline);
  const auto left = wake - SteadyClock::now();
  if (left <= SteadyClock::duration::zero()) return 0;
  // Rounded up: waking a little early would only spin.
  return int(std::min<long long>(ceil<milliseconds>(left).count(), 24 * 3600 * 1000));
}

void Fetcher::process(std::span<const pollfd> fds) {
  Impl& m = *impl_;
  int running = 0;
  for (const pollfd& p : fds) {
    if (p.revents == 0 || !m.sockets.contains(p.fd)) continue;
    int mask = 0;
    if (p.revents & (POLLIN | POLLHUP)) mask |= CURL_CSELECT_IN;
    if (p.revents & POLLOUT) mask |= CURL_CSELECT_OUT;
    if (p.revents & (POLLERR | POLLNVAL)) mask |= CURL_CSELECT_ERR;
    curl().multi_socket_action(m.multi.get(), p.fd, mask, &running);
  }
  if (m.multi && m.deadline && SteadyClock::now() >= *m.deadline) {
    m.deadline.reset();
    curl().multi_socket_action(m.multi.get(), CURL_SOCKET_TIMEOUT, 0, &running);
  }

  // Results are collected first and reported after: a callback may start or
  // cancel fetches.
  std::deque<Impl::Ready> finished = std::move(m.ready);
  m.ready.clear();
  int left = 0;
  while (CURLMsg* msg = m.multi ? curl().multi_info_read(m.multi.get(), &left) : nullptr) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    auto it = std::find_if(m.transfers.begin(), m.transfers.end(),
                           [&](const auto& t) { return t->easy.get() == easy; });
    curl().multi_remove_handle(m.multi.get(), easy);
    if (it == m.transfers.end()) continue;
    FetchResult r = m.complete(**it, code);
    finished.push_back({std::move((*it)->done), std::move(r)});
    m.transfers.erase(it);
  }
  const auto now = SteadyClock::now();
  for (auto it = m.transfers.begin(); it != m.transfers.end();) {
    Transfer& t = **it;
    if (now - t.lastActivity < m.options.stallTimeout) {
      ++it;
      continue;
    }
    t.stalled = true;
    curl().multi_remove_handle(m.multi.get(), t.easy.get());
    FetchResult r = m.complete(t, CURLE_OPERATION_TIMEDOUT);
    finished.push_back({std::move(t.done), std::move(r)});
    it = m.transfers.erase(it);
  }
  m.pump();
  // One file per turn: the loop serves signals and the watchdog between sources, however many
  // there are (timeoutMs() is 0 while some are left).
  if (!m.files.empty()) {
    const Impl::FileJob job = std::move(m.files.front());
    m.files.pop_front();
    finished.push_back({job.done, loadFeedFile(job.job, m.options, m.stats, m.warningDigests)});
  }

  const std::uint64_t generation = m.generation;
  for (Impl::Ready& f : finished) {
    if (m.generation != generation) break;  // cancelAll() from a callback
    m.count(f.result);
    f.done(std::move(f.result));
  }
}

bool Fetcher::busy() const {
  return !impl_->transfers.empty() || !impl_->queued.empty() || !impl_->files.empty() ||
         !impl_->ready.empty();
}

bool Fetcher::networkStarted() const {
  return impl_->multi != nullptr;
}

const FetcherStats& Fetcher::stats() const {
  return impl_->stats;
}

}  // namespace cb::daemon
