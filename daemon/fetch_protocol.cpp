// Encoding and checked decoding of the fetch child's one message (see fetch_protocol.hpp).
#include "daemon/fetch_protocol.hpp"

#include <cstdint>
#include <cstring>

#include "daemon/fnv.hpp"
#include "ics/snapshot.hpp"

namespace cb::daemon {
namespace {

constexpr std::string_view kMagic{"CBFETCH\n", 8};
constexpr std::uint32_t kMaxErrorBytes = 4096;

template <class T>
void put(std::string& out, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));  // the child and the daemon are one binary
  out.append(raw, sizeof(T));
}

// Reads from the front of `in`, failing (for good) once anything is short.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  [[nodiscard]] bool get(T& value) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(&value, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  [[nodiscard]] bool bytes(std::uint64_t n, std::string_view& out) {
    if (in_.size() < n) return false;
    out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  [[nodiscard]] std::size_t left() const { return in_.size(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string encodeFetchResult(const FetchResult& result) {
  std::string image;
  if (result.kind == FetchResult::Kind::Updated && result.store) {
    image = ics::serializeStore(*result.store);
  }
  const std::string_view error =
      std::string_view(result.error).substr(0, kMaxErrorBytes);  // one log line
  std::string out;
  out.reserve(64 + error.size() + image.size());
  out.append(kMagic);
  put(out, kFetchProtocolVersion);
  put(out, std::uint8_t(result.kind));
  put(out, std::int64_t(result.httpStatus));
  put(out, std::uint64_t(result.bytes));
  put(out, std::int64_t(result.duration.count()));
  put(out, std::int64_t(result.retryAfter ? result.retryAfter->count() : -1));
  put(out, std::uint32_t(error.size()));
  out.append(error);
  put(out, std::uint64_t(image.size()));
  out.append(image);
  put(out, fnv1a(out));
  return out;
}

std::optional<FetchResult> decodeFetchResult(std::string_view bytes) {
  if (bytes.size() < kMagic.size() + sizeof(std::uint64_t)) return std::nullopt;
  const std::string_view body = bytes.substr(0, bytes.size() - sizeof(std::uint64_t));
  std::uint64_t sum = 0;
  std::memcpy(&sum, bytes.data() + body.size(), sizeof sum);
  if (sum != fnv1a(body)) return std::nullopt;

  Reader in(body);
  std::string_view magic, error, image;
  std::uint32_t version = 0, errorLength = 0;
  std::uint8_t kind = 0;
  std::int64_t status = 0, durationMs = 0, retryAfter = 0;
  std::uint64_t parsed = 0, imageLength = 0;
  if (!in.bytes(kMagic.size(), magic) || magic != kMagic || !in.get(version) ||
      version != kFetchProtocolVersion || !in.get(kind) || !in.get(status) || !in.get(parsed) ||
      !in.get(durationMs) || !in.get(retryAfter) || !in.get(errorLength) ||
      errorLength > kMaxErrorBytes || !in.bytes(errorLength, error) || !in.get(imageLength) ||
      !in.bytes(imageLength, image) || in.left() != 0) {
    return std::nullopt;
  }
  if (kind > std::uint8_t(FetchResult::Kind::Failed) || durationMs < 0 || retryAfter < -1 ||
      retryAfter > 24 * 3600) {
    return std::nullopt;
  }
  FetchResult r;
  r.kind = FetchResult::Kind(kind);
  r.httpStatus = long(status);
  r.bytes = parsed;
  r.duration = std::chrono::milliseconds{durationMs};
  if (retryAfter >= 0) r.retryAfter = std::chrono::seconds{retryAfter};
  r.error = std::string(error);
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
