// Encoding and checked decoding of the fetch child's request and result (see fetch_protocol.hpp).
#include "daemon/fetch_protocol.hpp"

#include "daemon/wire.hpp"
#include "ics/snapshot.hpp"

namespace cb::daemon {
namespace {

constexpr std::string_view kRequestMagic{"CBFETCHQ", 8};
constexpr std::string_view kResultMagic{"CBFETCH\n", 8};
constexpr std::uint32_t kMaxErrorBytes = 4096;
constexpr std::uint32_t kMaxText = 64 * 1024;  // a URL, a header value, a path, a secret
constexpr std::uint32_t kMaxOwners = 256;

using wire::Reader;
using wire::Writer;

Writer framed(std::string_view magic) {
  Writer w;
  w.raw(magic);
  w.put(kFetchProtocolVersion);
  return w;
}

// The fields after magic and version, once the checksum matched; nullopt otherwise.
std::optional<Reader> unframed(std::string_view bytes, std::string_view magic) {
  const std::optional<std::string_view> body = wire::unsealed(bytes);
  if (!body || body->substr(0, magic.size()) != magic) return std::nullopt;
  Reader in(body->substr(magic.size()));
  std::uint32_t version = 0;
  if (!in.get(version) || version != kFetchProtocolVersion) return std::nullopt;
  return in;
}

void putValidators(Writer& w, const Validators& v) {
  w.text(v.etag);
  w.text(v.lastModified);
  w.text(v.fileStamp);
  w.put(std::int64_t(v.fetchedAt));
}

bool getValidators(Reader& in, Validators& v) {
  return in.text(v.etag, kMaxText) && in.text(v.lastModified, kMaxText) &&
         in.text(v.fileStamp, kMaxText) && in.get(v.fetchedAt);
}

template <class Rep, class Period>
void putDuration(Writer& w, std::chrono::duration<Rep, Period> d) {
  w.put(std::int64_t(d.count()));
}

template <class Rep, class Period>
bool getDuration(Reader& in, std::chrono::duration<Rep, Period>& d) {
  std::int64_t n = 0;
  if (!in.get(n) || n < 0) return false;
  d = std::chrono::duration<Rep, Period>(n);
  return true;
}

void putIngest(Writer& w, const ics::IngestOptions& o) {
  w.text(o.displayZone != nullptr ? o.displayZone->name() : std::string("UTC"));
  w.put(std::uint32_t(o.ownerEmails.size()));
  for (const std::string& e : o.ownerEmails) w.text(e);
  w.put(std::uint8_t(o.now.has_value()));
  w.put(std::int64_t(o.now ? o.now->time_since_epoch().count() : 0));
  putDuration(w, o.horizon);
  w.put(std::uint8_t(o.window.has_value()));
  w.put(std::int64_t(o.window ? o.window->from.time_since_epoch().count() : 0));
  w.put(std::int64_t(o.window ? o.window->to.time_since_epoch().count() : 0));
  w.put(o.source);
  w.put(std::uint8_t(o.keepUids));
  const ics::Limits& l = o.limits;
  for (std::uint64_t v :
       {std::uint64_t(l.maxLineBytes), std::uint64_t(l.maxComponentBytes),
        std::uint64_t(l.maxEventsPerFeed), std::uint64_t(l.maxOccurrencesPerSeries),
        std::uint64_t(l.maxTextBytes), l.maxExpansionStepsPerSeries, l.maxExpansionStepsPerFeed,
        std::uint64_t(l.maxOccurrencesPerWindow)})
    w.put(v);
}

bool getIngest(Reader& in, ics::IngestOptions& o) {
  std::string zone;
  std::uint32_t owners = 0;
  std::uint8_t hasNow = 0, hasWindow = 0, keepUids = 0;
  std::int64_t now = 0, from = 0, to = 0;
  if (!in.text(zone, 256) || !in.get(owners) || owners > kMaxOwners) return false;
  o.displayZone = ics::TimeZone::locate(zone);
  if (o.displayZone == nullptr) return false;
  o.ownerEmails.resize(owners);
  for (std::string& e : o.ownerEmails)
    if (!in.text(e, 1024)) return false;
  if (!in.get(hasNow) || !in.get(now) || !getDuration(in, o.horizon) || !in.get(hasWindow) ||
      !in.get(from) || !in.get(to) || !in.get(o.source) || !in.get(keepUids))
    return false;
  if (hasNow) o.now = ics::Instant(std::chrono::seconds(now));
  if (hasWindow)
    o.window = ics::TimeWindow{ics::Instant(std::chrono::seconds(from)),
                               ics::Instant(std::chrono::seconds(to))};
  o.keepUids = keepUids != 0;
  ics::Limits& l = o.limits;
  std::uint64_t v[8] = {};
  for (std::uint64_t& x : v)
    if (!in.get(x)) return false;
  l.maxLineBytes = std::size_t(v[0]);
  l.maxComponentBytes = std::size_t(v[1]);
  l.maxEventsPerFeed = std::size_t(v[2]);
  l.maxOccurrencesPerSeries = std::size_t(v[3]);
  l.maxTextBytes = std::size_t(v[4]);
  l.maxExpansionStepsPerSeries = v[5];
  l.maxExpansionStepsPerFeed = v[6];
  l.maxOccurrencesPerWindow = std::size_t(v[7]);
  return true;
}

}  // namespace

std::string encodeFetchRequest(const FetchRequest& r) {
  Writer w = framed(kRequestMagic);
  const FetchJob& job = r.job;
  w.text(job.source.name);
  w.text(job.source.url);
  w.text(job.source.username);
  w.put(std::uint8_t(job.auth));
  w.text(job.secret);
  w.put(std::uint8_t(job.ifChanged.has_value()));
  putValidators(w, job.ifChanged.value_or(Validators{}));
  putIngest(w, job.ingest);
  const FetcherOptions& o = r.options;
  putDuration(w, o.connectTimeout);
  putDuration(w, o.stallTimeout);
  putDuration(w, o.maxTime);
  w.put(std::uint64_t(o.maxBodyBytes));
  w.put(std::int64_t(o.maxRedirects));
  w.text(o.caFile);
  w.text(o.caPath);
  w.put(std::uint64_t(o.maxWarningsLogged));
  const ChildLimits& l = r.limits;
  w.put(std::uint64_t(l.memoryBytes));
  putDuration(w, l.cpu);
  w.put(std::uint32_t(l.openFiles));
  w.put(std::uint8_t(l.seccomp));
  w.put(std::uint8_t(r.logLevel));
  return std::move(w).sealed();
}

std::optional<FetchRequest> decodeFetchRequest(std::string_view bytes) {
  if (bytes.size() > kMaxRequestBytes) return std::nullopt;
  std::optional<Reader> in = unframed(bytes, kRequestMagic);
  if (!in) return std::nullopt;
  FetchRequest r;
  FetchJob& job = r.job;
  std::uint8_t auth = 0, conditional = 0, seccomp = 0;
  Validators v;
  if (!in->text(job.source.name, kMaxText) || !in->text(job.source.url, kMaxText) ||
      !in->text(job.source.username, kMaxText) || !in->get(auth) ||
      auth > std::uint8_t(FetchJob::Auth::Bearer) || !in->text(job.secret, kMaxText) ||
      !in->get(conditional) || !getValidators(*in, v) || !getIngest(*in, job.ingest))
    return std::nullopt;
  job.auth = FetchJob::Auth(auth);
  if (conditional) job.ifChanged = v;
  FetcherOptions& o = r.options;
  std::uint64_t maxBody = 0, warnings = 0;
  std::int64_t redirects = 0;
  if (!getDuration(*in, o.connectTimeout) || !getDuration(*in, o.stallTimeout) ||
      !getDuration(*in, o.maxTime) || !in->get(maxBody) || !in->get(redirects) ||
      !in->text(o.caFile, kMaxText) || !in->text(o.caPath, kMaxText) || !in->get(warnings))
    return std::nullopt;
  o.maxBodyBytes = maxBody;
  o.maxRedirects = long(redirects);
  o.maxWarningsLogged = std::size_t(warnings);
  ChildLimits& l = r.limits;
  std::uint32_t openFiles = 0;
  std::uint8_t level = 0;
  if (!in->get(l.memoryBytes) || !getDuration(*in, l.cpu) || !in->get(openFiles) ||
      !in->get(seccomp) || !in->get(level) || in->left() != 0 ||
      level < std::uint8_t(log::Level::Error) || level > std::uint8_t(log::Level::Debug))
    return std::nullopt;
  r.logLevel = log::Level(level);
  l.openFiles = openFiles;
  l.seccomp = seccomp != 0;
  return r;
}

std::string encodeFetchResult(const FetchResult& result) {
  std::string image;
  if (result.kind == FetchResult::Kind::Updated && result.store) {
    image = ics::serializeStore(*result.store);
  }
  const std::string_view error =
      std::string_view(result.error).substr(0, kMaxErrorBytes);  // one log line
  Writer w = framed(kResultMagic);
  w.reserve(256 + error.size() + image.size());
  w.put(std::uint8_t(result.kind));
  w.put(std::int64_t(result.httpStatus));
  w.put(std::uint64_t(result.bytes));
  w.put(std::int64_t(result.duration.count()));
  w.put(std::int64_t(result.retryAfter ? result.retryAfter->count() : -1));
  w.put(std::uint8_t(result.notCalendar));
  w.text(error);
  putValidators(w, result.validators);
  w.blob(image);
  return std::move(w).sealed();
}

std::optional<FetchResult> decodeFetchResult(std::string_view bytes) {
  std::optional<Reader> in = unframed(bytes, kResultMagic);
  if (!in) return std::nullopt;
  std::uint8_t kind = 0, notCalendar = 0;
  std::int64_t status = 0, durationMs = 0, retryAfter = 0;
  std::uint64_t parsed = 0;
  FetchResult r;
  std::string_view image;
  if (!in->get(kind) || !in->get(status) || !in->get(parsed) || !in->get(durationMs) ||
      !in->get(retryAfter) || !in->get(notCalendar) || !in->text(r.error, kMaxErrorBytes) ||
      !getValidators(*in, r.validators) || !in->blob(image, in->left()) || in->left() != 0) {
    return std::nullopt;
  }
  if (kind > std::uint8_t(FetchResult::Kind::Failed) || durationMs < 0 || retryAfter < -1 ||
      retryAfter > 24 * 3600) {
    return std::nullopt;
  }
  r.kind = FetchResult::Kind(kind);
  r.httpStatus = long(status);
  r.bytes = parsed;
  r.duration = std::chrono::milliseconds{durationMs};
  if (retryAfter >= 0) r.retryAfter = std::chrono::seconds{retryAfter};
  r.notCalendar = notCalendar != 0;
  if (r.kind == FetchResult::Kind::Updated) {
    r.store = ics::deserializeStore(image);
    if (!r.store) return std::nullopt;
  } else if (!image.empty()) {
    return std::nullopt;
  }
  if (r.kind == FetchResult::Kind::Failed && r.error.empty()) return std::nullopt;
  return r;
}

}  // namespace cb::daemon
