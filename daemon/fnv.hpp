// FNV-1a, the daemon's one non-cryptographic hash (file names, checksums, digests).
#pragma once

#include <cstdint>
#include <string_view>

namespace cb::daemon {

inline constexpr std::uint64_t kFnvOffset = 1469598103934665603ULL;
inline constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

// FNV-1a over `bytes`, continuing from `h` (so parts can be hashed one after another).
[[nodiscard]] inline std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = kFnvOffset) {
  for (unsigned char c : bytes) h = (h ^ c) * kFnvPrime;
  return h;
}

}  // namespace cb::daemon
