// Runs the built binary as a child process and captures what it prints.
#pragma once

#include <string>
#include <vector>

namespace cb::test {

struct RunResult {
  int exitCode = -1;  // -1: killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// True when process `pid` has a file whose name contains `name` mapped (/proc/PID/maps).
bool mapsFile(int pid, const std::string& name);

// The calendarbot binary under test (CB_BINARY, set by meson).
const std::string& calendarbot();

// Runs `binary args...` to completion.
RunResult run(const std::string& binary, const std::vector<std::string>& args,
              const std::vector<std::string>& extraEnv = {});

// A child left running; signal() and wait() it from the test.
class Child {
 public:
  // `extraEnv`: "NAME=value" entries added to (or overriding) this process's environment.
  Child(const std::string& binary, const std::vector<std::string>& args,
        const std::vector<std::string>& extraEnv = {});
  // Reads what the child printed on stderr so far (non-blocking), appended to `err`.
  void drainErr(std::string& err);
  [[nodiscard]] int errFd() const { return errFd_; }
  ~Child();
  void signal(int sig);
  RunResult wait();
  [[nodiscard]] int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int outFd_ = -1;
  int errFd_ = -1;
};

}  // namespace cb::test
