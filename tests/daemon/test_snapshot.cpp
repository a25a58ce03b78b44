// daemon: snapshot files are verified on read and survive kill -9 at any moment of a write.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "daemon/snapshot.hpp"
#include "support.hpp"

using namespace cb::daemon;
namespace fs = std::filesystem;

namespace {

void patchByte(const fs::path& p, std::size_t offset, char value) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(std::streamoff(offset));
  f.put(value);
}

}  // namespace

TEST_CASE("snapshots round-trip and bad files are ignored with a reason", "[daemon]") {
  const fs::path dir = cb::test::tempDir("snapshot-unit");
  const std::string path = (dir / "work.snap").string();
  CHECK_FALSE(readSnapshot(path).snapshot);
  CHECK(readSnapshot(path).error.empty());  // simply absent

  REQUIRE(writeSnapshot(path, Snapshot{"meta", "payload bytes"}) == 0);
  auto r = readSnapshot(path);
  REQUIRE(r.snapshot);
  CHECK(r.snapshot->meta == "meta");
  CHECK(r.snapshot->payload == "payload bytes");

  patchByte(path, fs::file_size(path) - 1, 'X');  // flip the payload's last byte
  r = readSnapshot(path);
  CHECK_FALSE(r.snapshot);
  CHECK(r.error == "checksum mismatch");

  REQUIRE(writeSnapshot(path, Snapshot{"meta", "payload bytes"}) == 0);
  patchByte(path, 8, 9);  // version 9
  CHECK(readSnapshot(path).error == "snapshot version 9, expected 1");

  REQUIRE(writeSnapshot(path, Snapshot{"meta", "payload bytes"}) == 0);
  fs::resize_file(path, fs::file_size(path) - 3);
  CHECK(readSnapshot(path).error == "truncated body");
  fs::resize_file(path, 10);
  CHECK(readSnapshot(path).error == "truncated header");
  std::ofstream(path) << "BEGIN:VCALENDAR\r\nwhatever else is here, it is long enough\r\n";
  CHECK(readSnapshot(path).error == "not a calendarbot snapshot");

  CHECK(writeSnapshot((dir / "missing" / "x.snap").string(), Snapshot{}) == -ENOENT);
}

TEST_CASE("kill -9 during snapshot writes never leaves a broken snapshot", "[daemon]") {
  const fs::path dir = cb::test::tempDir("snapshot-torture");
  const std::string path = (dir / "work.snap").string();
  const std::string helper = cb::test::env("CB_SNAPSHOT_TORTURE");
  REQUIRE_FALSE(helper.empty());
  // The helper writes A, B, A, ... and waits for a byte after each complete write, so the test
  // knows which write completed last whatever the machine's speed (qemu, a slow SD card): the
  // kill lands at a random moment of the next write (or, now and then, while it waits), and the
  // file must then hold the last complete write or, when the kill came late, the next one.
  std::mt19937 rng(20261128);
  std::uniform_int_distribution<int> completeWrites(1, 4), delayUs(0, 20000), idleKill(0, 9);
  int sawA = 0, sawB = 0;
  for (int i = 0; i < 200; ++i) {
    int out[2], in[2];
    REQUIRE(pipe(out) == 0);
    REQUIRE(pipe(in) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    char* argv[] = {const_cast<char*>(helper.c_str()), const_cast<char*>(path.c_str()), nullptr};
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, helper.c_str(), &fa, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(in[0]);
    const int complete = completeWrites(rng);
    const bool interruptWrite = idleKill(rng) != 0;
    for (int w = 0; w < complete; ++w) {
      char c = 0;
      REQUIRE(read(out[0], &c, 1) == 1);  // write number w is complete
      if (w + 1 < complete || interruptWrite) REQUIRE(write(in[1], "n", 1) == 1);
    }
    if (interruptWrite) std::this_thread::sleep_for(std::chrono::microseconds(delayUs(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    close(out[0]);
    close(in[1]);
    const SnapshotRead r = readSnapshot(path);
    INFO("iteration " << i << ": " << r.error);
    REQUIRE(r.snapshot);
    const std::string lastComplete = (complete - 1) % 2 ? "B" : "A";
    const std::string inFlight = complete % 2 ? "B" : "A";
    INFO("last complete write " << lastComplete << ", interrupted " << interruptWrite);
    if (interruptWrite) {
      CHECK((r.snapshot->meta == lastComplete || r.snapshot->meta == inFlight));
    } else {
      CHECK(r.snapshot->meta == lastComplete);
    }
    if (r.snapshot->meta == "A") {
      CHECK(r.snapshot->payload == std::string(100 * 1024, 'a'));
      ++sawA;
    } else {
      REQUIRE(r.snapshot->meta == "B");
      CHECK(r.snapshot->payload == std::string(300 * 1024, 'b'));
      ++sawB;
    }
  }
  CHECK(sawA > 0);
  CHECK(sawB > 0);
  removeSnapshotTemps(path);
  int left = 0;
  for (const auto& e : fs::directory_iterator(dir)) left += e.path().filename() != "work.snap";
  CHECK(left == 0);
}

TEST_CASE("a snapshot's lengths are checked against its size before anything is allocated",
          "[daemon]") {
  const fs::path dir = cb::test::tempDir("snapshot-lengths");
  const std::string path = (dir / "big.snap").string();
  // A 32-byte file whose header claims a 256 MiB payload (and one claiming 255 MiB: within
  // the plausible maximum, so only the size check can refuse it).
  for (const std::uint64_t claimed : {std::uint64_t(256) << 20, std::uint64_t(255) << 20}) {
    std::string header = std::string("CBSNAP\r\n") + std::string(24, '\0');
    header[8] = char(kSnapshotVersion);
    for (int i = 0; i < 8; ++i) header[16 + i] = char((claimed >> (8 * i)) & 0xff);
    std::ofstream(path, std::ios::binary) << header;
    const SnapshotRead r = readSnapshot(path);
    CHECK_FALSE(r.snapshot);
    CHECK((r.error == "truncated body" || r.error == "implausible lengths"));
  }
  // What the writer refuses to replace, and the reader to follow.
  REQUIRE(writeSnapshot((dir / "real.snap").string(), Snapshot{"m", "p"}) == 0);
  fs::create_symlink(dir / "real.snap", dir / "link.snap");
  CHECK(readSnapshot((dir / "link.snap").string()).error.starts_with("cannot open"));
  CHECK(writeSnapshot((dir / "link.snap").string(), Snapshot{"m", "q"}) == -EEXIST);
  CHECK(readSnapshot((dir / "real.snap").string()).snapshot->payload == "p");
}
