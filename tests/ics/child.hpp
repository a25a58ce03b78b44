// Runs a program with a deadline; reports its output, how it ended and its peak RSS.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cb::test {

struct ChildOutcome {
  int exitCode = -1;  // -1 unless the program exited normally
  int signal = 0;     // the signal that ended it, 0 if none
  bool timedOut = false;
  bool outputCapped = false;  // stdout or stderr exceeded `maxOutput` (the rest was discarded)
  std::string out;
  std::string err;
  long peakRssKb = 0;
  double seconds = 0;
};

// Runs argv[0] (a path) with argv; kills it with SIGKILL past `deadline`.
// `extraEnv`: "NAME=value" entries added to this process's environment.
// The program runs under this test executable in launcher mode (see launcherMain), so its
// peak RSS is its own: a directly spawned child's ru_maxrss starts at its parent's peak.
[[nodiscard]] ChildOutcome runWithDeadline(const std::vector<std::string>& argv,
                                           std::chrono::milliseconds deadline,
                                           const std::vector<std::string>& extraEnv = {},
                                           std::size_t maxOutput = std::size_t(16) << 20);

// Launcher mode: `TEST --cb-launch PROGRAM ARGS...` forks, runs PROGRAM in a new process group,
// waits, appends "\nCB-PEAK-RSS-KB=<n>\n" to stderr and ends like PROGRAM did. Call it first
// in main(); it returns nullopt when argv is not a launcher command line.
[[nodiscard]] std::optional<int> launcherMain(int argc, char** argv);

// A temporary directory removed with its files when the object dies, unless keep() was called.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  void keep() { keep_ = true; }
  // Writes `bytes` to path()/name and returns the full path.
  [[nodiscard]] std::string write(const std::string& name, const std::string& bytes) const;

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace cb::test
