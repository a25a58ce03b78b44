// Fuzz target: the snapshot decoders (the daemon's file and the store image inside it) on
// arbitrary bytes. Whatever they accept must re-encode and expand without fault.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "daemon/snapshot.hpp"
#include "ics/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (std::optional<cb::ics::EventStore> store = cb::ics::deserializeStore(bytes)) {
    (void)cb::ics::serializeStore(*store);
    const cb::ics::Instant from = sys_days{year{2025} / 3 / 1};
    (void)store->occurrences(from, from + days{9});
  }
  // The file reader, on the same bytes as a file (its lengths checked against the size).
  static const std::string path = [] {
    char name[] = "/tmp/cb-fuzz-snapshot.XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd >= 0) ::close(fd);
    return std::string(name);
  }();
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    const cb::daemon::SnapshotRead r = cb::daemon::readSnapshot(path);
    if (r.snapshot) (void)cb::ics::deserializeStore(r.snapshot->payload);
  }
  return 0;
}
