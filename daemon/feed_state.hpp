// What the daemon keeps about a feed between fetches: validators in the state dir, credentials.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "daemon/config.hpp"

namespace cb::daemon {

// What a conditional request sends back: ETag / Last-Modified of the last full
// download (a file source's size, mtime and inode), and when it happened.
struct Validators {
  std::string etag;
  std::string lastModified;
  std::string fileStamp;     // files: "size:mtime.ns:inode"
  std::int64_t fetchedAt{};  // unix seconds of the full download they describe

  [[nodiscard]] bool empty() const {
    return etag.empty() && lastModified.empty() && fileStamp.empty();
  }
  bool operator==(const Validators&) const = default;
};

// stateDir/feeds/NAME-HASH.validators; a missing or unreadable file is no validators.
[[nodiscard]] Validators loadValidators(const std::filesystem::path& stateDir,
                                        const SourceConfig& source);

// Replaces the source's file through the one atomic writer (hal/atomic_file), or
// removes it when `now` is empty; nothing is written when it holds `now` already.
// A failure is logged as a warning (a lost validator costs one full download).
void saveValidators(const std::filesystem::path& stateDir, const SourceConfig& source,
                    const Validators& now);

// The validators to send: those of a full download younger than `revalidateAfter`
// (ingest drops events past its horizon, so an old store is rebuilt now and then).
[[nodiscard]] std::optional<Validators> usableValidators(const std::filesystem::path& stateDir,
                                                         const SourceConfig& source,
                                                         std::chrono::seconds revalidateAfter);

// The source's credential read from its file (password_file or token_file): the
// first line without its line break. Empty `secret` and no error for a source
// without credentials.
struct Credential {
  std::string secret;
  std::string error;  // "cannot read credentials file …" / "… is empty"
};
[[nodiscard]] Credential readCredential(const SourceConfig& source);

[[nodiscard]] std::int64_t unixNow();

// Back-off before retry number `attempt` (1, 2, 3 …) of a failing source:
// base·2^(attempt-1) capped at `cap`, then "equal jitter" — a value in
// [d/2, d] picked by `random` — so sources that failed together spread out.
// Deterministic for a given `random`; never below one second.
[[nodiscard]] std::chrono::seconds retryDelay(int attempt, std::chrono::seconds base,
                                              std::chrono::seconds cap, std::uint32_t random);

}  // namespace cb::daemon
