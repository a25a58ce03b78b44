// Test helper: writes two alternating snapshots (A, B, A, ...) to one path; after each complete
// write it prints '.' and waits for one byte on stdin before the next (the test kill -9s it).
#include <cstdio>
#include <string>

#include "daemon/snapshot.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: snapshot_torture PATH\n");
    return 2;
  }
  const cb::daemon::Snapshot a{"A", std::string(100 * 1024, 'a')};
  const cb::daemon::Snapshot b{"B", std::string(300 * 1024, 'b')};
  for (unsigned long i = 0;; ++i) {
    if (cb::daemon::writeSnapshot(argv[1], i % 2 ? b : a) != 0) return 1;
    std::putchar('.');
    std::fflush(stdout);
    if (std::getchar() == EOF) return 0;
  }
}
