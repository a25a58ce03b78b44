// Validators files (one per source, written atomically) and credential files, read by the daemon.
#include "daemon/feed_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "daemon/fetch_job.hpp"
#include "daemon/log.hpp"
#include "daemon/state_paths.hpp"
#include "hal/atomic_file.hpp"

namespace cb::daemon {
namespace {

namespace fs = std::filesystem;

fs::path validatorPath(const fs::path& stateDir, const SourceConfig& source) {
  return sourceStatePath(stateDir, source, "feeds", "validators");
}

// The first line of `path`, without trailing CR or blanks; error text or "".
std::string firstLine(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fmt::format("cannot read credentials file {}: {}", path, std::strerror(errno));
  std::getline(in, out);
  while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
  if (out.empty()) return fmt::format("credentials file {} is empty", path);
  return {};
}

}  // namespace

std::int64_t unixNow() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

Validators loadValidators(const fs::path& stateDir, const SourceConfig& source) {
  Validators v;
  if (stateDir.empty()) return v;
  std::ifstream in(validatorPath(stateDir, source));
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string_view key(line.data(), colon);
    std::string value = line.substr(colon + 2);
    if (key == "etag")
      v.etag = std::move(value);
    else if (key == "last-modified")
      v.lastModified = std::move(value);
    else if (key == "file")
      v.fileStamp = std::move(value);
    else if (key == "fetched")
      v.fetchedAt = std::atoll(value.c_str());
  }
  return v;
}

void saveValidators(const fs::path& stateDir, const SourceConfig& source, const Validators& now) {
  if (stateDir.empty() || loadValidators(stateDir, source) == now) return;
  const fs::path file = validatorPath(stateDir, source);
  std::error_code ec;
  if (now.empty()) {
    fs::remove(file, ec);
    return;
  }
  std::string text = "# calendarbot: validators of the last full download of one feed\n";
  // Header values hold no line breaks: the fetcher made them one line.
  if (!now.etag.empty()) text += fmt::format("etag: {}\n", now.etag);
  if (!now.lastModified.empty()) text += fmt::format("last-modified: {}\n", now.lastModified);
  if (!now.fileStamp.empty()) text += fmt::format("file: {}\n", now.fileStamp);
  text += fmt::format("fetched: {}\n", now.fetchedAt);
  fs::create_directories(file.parent_path(), ec);
  if (const int rc = hal::writeFileAtomically(file.string(), {text}, 0600); rc != 0)
    log::warning("{}: cannot keep the feed's validators: cannot write {}: {}", source.name,
                 file.string(), std::strerror(-rc));
}

std::optional<Validators> usableValidators(const fs::path& stateDir, const SourceConfig& source,
                                           std::chrono::seconds revalidateAfter) {
  if (stateDir.empty()) return std::nullopt;
  Validators v = loadValidators(stateDir, source);
  const std::int64_t age = unixNow() - v.fetchedAt;
  // A clock that went backwards (no RTC, then NTP) makes the age meaningless.
  if (v.empty() || age < 0 || age >= revalidateAfter.count()) return std::nullopt;
  return v;
}

Credential readCredential(const SourceConfig& source) {
  Credential c;
  if (!source.tokenFile.empty())
    c.error = firstLine(source.tokenFile, c.secret);
  else if (!source.username.empty())
    c.error = firstLine(source.passwordFile, c.secret);
  if (!c.error.empty()) c.secret.clear();
  return c;
}

FetchJob prepareFetchJob(const SourceConfig& source, const ics::IngestOptions& ingest,
                         const fs::path& stateDir, std::chrono::seconds revalidateAfter,
                         bool conditional, std::string& error) {
  FetchJob job;
  job.source = source;
  job.source.passwordFile.clear();
  job.source.tokenFile.clear();
  job.ingest = ingest;
  if (conditional) job.ifChanged = usableValidators(stateDir, source, revalidateAfter);
  Credential c = readCredential(source);
  error = std::move(c.error);
  job.secret = std::move(c.secret);
  if (!source.tokenFile.empty())
    job.auth = FetchJob::Auth::Bearer;
  else if (!source.username.empty())
    job.auth = FetchJob::Auth::Basic;
  return job;
}

std::chrono::seconds retryDelay(int attempt, std::chrono::seconds base, std::chrono::seconds cap,
                                std::uint32_t random) {
  const long long b = std::max<long long>(1, base.count());
  const long long c = std::max<long long>(1, cap.count());
  const int shift = std::clamp(attempt - 1, 0, 40);
  // base·2^shift without overflow: stop doubling once past the cap.
  long long d = b;
  for (int i = 0; i < shift && d < c; ++i) d *= 2;
  d = std::min(d, c);
  const long long half = d / 2;
  const long long jitter = (d - half) == 0 ? 0 : (long long)(random % std::uint64_t(d - half + 1));
  return std::chrono::seconds{std::max<long long>(1, half + jitter)};
}

}  // namespace cb::daemon
