// Child processes with a deadline for the ics robustness and differential tests.
#include "child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace cb::test {
namespace {

class Pipe {
 public:
  Pipe() {
    if (pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  }
  ~Pipe() {
    closeRead();
    closeWrite();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  [[nodiscard]] int readFd() const { return fds_[0]; }
  [[nodiscard]] int writeFd() const { return fds_[1]; }
  void closeRead() {
    if (fds_[0] >= 0) close(fds_[0]);
    fds_[0] = -1;
  }
  void closeWrite() {
    if (fds_[1] >= 0) close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

}  // namespace

ChildOutcome runWithDeadline(const std::vector<std::string>& argv,
                             std::chrono::milliseconds deadline,
                             const std::vector<std::string>& extraEnv, std::size_t maxOutput) {
  using Clock = std::chrono::steady_clock;
  Pipe out, err;
  SpawnActions actions;
  posix_spawn_file_actions_adddup2(actions.get(), out.writeFd(), 1);
  posix_spawn_file_actions_adddup2(actions.get(), err.writeFd(), 2);
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  std::string self = "/proc/self/exe";
  std::string flag = "--cb-launch";
  std::vector<char*> args = {self.data(), flag.data()};
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> envStore;
  for (char** e = environ; *e != nullptr; ++e) envStore.emplace_back(*e);
  envStore.insert(envStore.end(), extraEnv.begin(), extraEnv.end());
  std::vector<char*> envp;
  for (std::string& e : envStore) envp.push_back(e.data());
  envp.push_back(nullptr);

  const auto t0 = Clock::now();
  pid_t pid = -1;
  if (posix_spawn(&pid, self.c_str(), actions.get(), nullptr, args.data(), envp.data()) != 0)
    throw std::runtime_error("posix_spawn " + argv[0]);
  // The launcher puts the program in a process group named after the launcher's pid.
  auto killAll = [pid] {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  };
  out.closeWrite();
  err.closeWrite();

  ChildOutcome r;
  pollfd fds[2] = {{out.readFd(), POLLIN, 0}, {err.readFd(), POLLIN, 0}};
  int open = 2;
  char buffer[1 << 16];
  while (open > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(t0 + deadline - Clock::now());
    if (left.count() <= 0) {
      r.timedOut = true;
      killAll();
      break;
    }
    if (poll(fds, 2, int(left.count())) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        fds[i].fd = -1;
        --open;
        continue;
      }
      std::string& sink = i == 0 ? r.out : r.err;
      const std::size_t room = maxOutput > sink.size() ? maxOutput - sink.size() : 0;
      if (std::size_t(n) > room) r.outputCapped = true;
      sink.append(buffer, std::min(room, std::size_t(n)));
    }
  }
  // The child may close its output and still run: the deadline holds for the exit too.
  int status = 0;
  rusage ru{};
  for (;;) {
    const pid_t done = wait4(pid, &status, r.timedOut ? 0 : WNOHANG, &ru);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (Clock::now() > t0 + deadline) {
      r.timedOut = true;
      killAll();
    } else {
      usleep(2000);
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  static constexpr std::string_view kPeak = "\nCB-PEAK-RSS-KB=";
  if (const std::size_t at = r.err.rfind(kPeak); at != std::string::npos) {
    r.peakRssKb = std::strtol(r.err.c_str() + at + kPeak.size(), nullptr, 10);
    r.err.resize(at);
  }
  return r;
}

std::optional<int> launcherMain(int argc, char** argv) {
  if (argc < 3 || std::string_view(argv[1]) != "--cb-launch") return std::nullopt;
  setpgid(0, 0);
  const pid_t pid = fork();
  if (pid < 0) return 126;
  if (pid == 0) {
    execv(argv[2], argv + 2);
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  std::fprintf(stderr, "\nCB-PEAK-RSS-KB=%ld\n", ru.ru_maxrss);
  std::fflush(stderr);
  if (WIFSIGNALED(status)) {
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

TempDir::TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& bytes) const {
  const std::string file = path_ + "/" + name;
  std::ofstream f(file, std::ios::binary);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + file);
  return file;
}

}  // namespace cb::test
