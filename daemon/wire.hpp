// Little-endian framing shared by the daemon's binary formats (snapshots, the fetch protocol).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "daemon/fnv.hpp"

namespace cb::daemon::wire {

// Appends integers (little-endian whatever the host) and length-prefixed strings.
class Writer {
 public:
  template <class T>
  requires std::is_integral_v<T>
  void put(T value) {
    const auto u = static_cast<std::make_unsigned_t<T>>(value);
    for (std::size_t i = 0; i < sizeof(T); ++i)
      out_.push_back(char((std::uint64_t(u) >> (8 * i)) & 0xff));
  }
  // A u32 length, then the bytes.
  void text(std::string_view s) {
    put(std::uint32_t(s.size()));
    out_.append(s);
  }
  // A u64 length, then the bytes.
  void blob(std::string_view s) {
    put(std::uint64_t(s.size()));
    out_.append(s);
  }
  void raw(std::string_view s) { out_.append(s); }
  void reserve(std::size_t n) { out_.reserve(n); }
  // Appends FNV-1a 64 of everything so far and hands the bytes over.
  [[nodiscard]] std::string sealed() && {
    put(fnv1a(out_));
    return std::move(out_);
  }
  [[nodiscard]] std::string take() && { return std::move(out_); }

 private:
  std::string out_;
};

// Reads from the front of its bytes; once anything is short every later read fails too.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  requires std::is_integral_v<T>
  [[nodiscard]] bool get(T& value) {
    if (!ok_ || in_.size() < sizeof(T)) return ok_ = false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      v |= std::uint64_t(static_cast<unsigned char>(in_[i])) << (8 * i);
    value = T(static_cast<std::make_unsigned_t<T>>(v));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  [[nodiscard]] bool bytes(std::uint64_t n, std::string_view& out) {
    if (!ok_ || in_.size() < n) return ok_ = false;
    out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  // A u32-length string of at most `most` bytes.
  [[nodiscard]] bool text(std::string& out, std::uint32_t most) {
    std::uint32_t n = 0;
    std::string_view s;
    if (!get(n) || n > most || !bytes(n, s)) return ok_ = false;
    out.assign(s);
    return true;
  }
  // A u64-length blob of at most `most` bytes.
  [[nodiscard]] bool blob(std::string_view& out, std::uint64_t most) {
    std::uint64_t n = 0;
    if (!get(n) || n > most) return ok_ = false;
    return bytes(n, out);
  }
  [[nodiscard]] std::size_t left() const { return in_.size(); }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  std::string_view in_;
  bool ok_ = true;
};

// The bytes before a trailing FNV-1a 64 when it matches them; nullopt otherwise.
[[nodiscard]] inline std::optional<std::string_view> unsealed(std::string_view bytes) {
  if (bytes.size() < sizeof(std::uint64_t)) return std::nullopt;
  const std::string_view body = bytes.substr(0, bytes.size() - sizeof(std::uint64_t));
  Reader tail(bytes.substr(body.size()));
  std::uint64_t sum = 0;
  if (!tail.get(sum) || sum != fnv1a(body)) return std::nullopt;
  return body;
}

}  // namespace cb::daemon::wire
