// FetchJob: everything one fetch of one source needs, credentials and validators included.
#pragma once

#include <optional>
#include <string>

#include "daemon/config.hpp"
#include "daemon/feed_state.hpp"
#include "ics/store.hpp"

namespace cb::daemon {

// The daemon builds it (reading the credential file and the validators from the
// state dir); the fetch child receives it whole on its stdin and opens neither.
struct FetchJob {
  enum class Auth : std::uint8_t { None, Basic, Bearer };
  SourceConfig source;  // name and url; the credential file names are not used
  ics::IngestOptions ingest;
  // A conditional request with these validators; nullopt: a whole download.
  std::optional<Validators> ifChanged;
  Auth auth = Auth::None;
  std::string secret;  // Basic: the password (source.username is the user); Bearer: the token
};

// The job for `source`: its credential read from its file, and the validators
// of its last full download when `conditional` and they are recent enough.
// Returns the job, or sets `error` (an unreadable credentials file).
[[nodiscard]] FetchJob prepareFetchJob(const SourceConfig& source, const ics::IngestOptions& ingest,
                                       const std::filesystem::path& stateDir,
                                       std::chrono::seconds revalidateAfter, bool conditional,
                                       std::string& error);

}  // namespace cb::daemon
