// Fuzz target: the TOML config loader on arbitrary files (errors, never a crash or a hang).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "daemon/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = [] {
    char name[] = "/tmp/cb-fuzz-config.XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd >= 0) ::close(fd);
    return std::string(name);
  }();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  const cb::daemon::ConfigResult r = cb::daemon::loadConfig(path);
  for (const std::string& e : r.errors)
    if (e.size() > 4096) __builtin_trap();  // a message echoes no huge value
  return 0;
}
