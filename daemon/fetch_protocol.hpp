// The daemon ↔ fetch child protocol: one request on the child's stdin, one result on a pipe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/fetch_job.hpp"
#include "daemon/fetcher.hpp"
#include "daemon/log.hpp"

namespace cb::daemon {

// What a fetch child may use; it sets these on itself before it touches the feed.
struct ChildLimits {
  // Memory (RLIMIT_DATA) beyond what the fresh child image holds at start; the
  // address space (RLIMIT_AS) gets twice that and 128 MiB more for libcurl's
  // libraries, a resolver thread's stack and its malloc arena.
  std::uint64_t memoryBytes = 256ull << 20;
  std::chrono::seconds cpu{120};  // CPU time: SIGXCPU, then SIGKILL a second later
  unsigned openFiles = 64;
  // The system-call allow-list (fetch_seccomp.hpp); off only in tests that
  // need a call it forbids.
  bool seccomp = true;
  // The daemon ends a child that outlives the fetch's own limits (connect time-out
  // plus the whole-transfer limit) by this much: a child stuck in a loop or a
  // blocked system call costs one failed refresh, never the loop.
  std::chrono::milliseconds grace{std::chrono::seconds{30}};
  // The program the daemon execs as `PROGRAM fetch-child` (daemon side only, not
  // sent); empty: this executable (/proc/self/exe, resolved at start).
  std::string program;
};

// How a fetch child ends when it cannot answer; the daemon names the reason.
enum ChildExit : int {
  kChildAnswered = 0,
  kChildBadRequest = 119,   // its stdin was not one well-formed request
  kChildUnfenced = 120,     // a limit, no_new_privs or Landlock could not be set
  kChildWriteFailed = 124,  // the answer could not be written (the daemon went away)
  kChildNoSeccomp = 125,    // the seccomp filter could not be loaded
};

// Everything a child needs, credentials included (never on its argv or environment).
struct FetchRequest {
  FetchJob job;
  FetcherOptions options;  // stateDir is not sent: the child has no state dir
  ChildLimits limits;
  // The daemon's: a child of a daemon at log_level = "debug" says what it does too.
  log::Level logLevel = log::Level::Info;
};

// Request and result share one frame: an 8-byte magic, a u32 version, the fields
// (wire.hpp: little-endian, length-prefixed strings), FNV-1a 64 over all of it.
// The daemon trusts none of the child's bytes: a short, long or inconsistent
// result is a failed refresh, never a store swapped in. The version changes with
// the binary's layout: a child exec'd from a newer binary (an upgrade underneath
// a running daemon) is a refused answer, logged, and the next start fixes it.
inline constexpr std::uint32_t kFetchProtocolVersion = 3;
inline constexpr std::uint64_t kMaxRequestBytes = 1 << 20;

[[nodiscard]] std::string encodeFetchRequest(const FetchRequest& request);
[[nodiscard]] std::optional<FetchRequest> decodeFetchRequest(std::string_view bytes);

// Result: kind, status, bytes, duration, Retry-After, error, validators, store image.
[[nodiscard]] std::string encodeFetchResult(const FetchResult& result);

// The result back; nullopt when the bytes are not exactly one well-formed message
// (an Updated result must carry a store image that deserializes).
[[nodiscard]] std::optional<FetchResult> decodeFetchResult(std::string_view bytes);

}  // namespace cb::daemon
