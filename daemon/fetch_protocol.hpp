// The fetch child's answer to the daemon: one FetchResult, store included, as bytes on a pipe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/fetcher.hpp"

namespace cb::daemon {

// Layout (little-endian), written once by the child just before it exits:
//   "CBFETCH\n"  8-byte magic, then u32 kFetchProtocolVersion
//   u8 kind, i64 httpStatus, u64 bytes, i64 duration (ms), i64 retryAfter (s, -1: none)
//   u32 error length, error
//   u64 store image length, store image (ics::serializeStore; 0 unless Updated)
//   u64 checksum  FNV-1a 64 over everything before it
// The daemon trusts none of it: a short, long or inconsistent message is a failed
// refresh, never a store swapped in.
inline constexpr std::uint32_t kFetchProtocolVersion = 1;

[[nodiscard]] std::string encodeFetchResult(const FetchResult& result);

// The result back; nullopt when the bytes are not exactly one well-formed message
// (an Updated result must carry a store image that deserializes).
[[nodiscard]] std::optional<FetchResult> decodeFetchResult(std::string_view bytes);

}  // namespace cb::daemon
