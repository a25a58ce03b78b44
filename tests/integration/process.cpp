// Child processes for integration tests: spawn with pipes, collect output, reap.
#include "process.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "support.hpp"

extern char** environ;

namespace cb::test {

Child::Child(const std::string& binary, const std::vector<std::string>& args,
             const std::vector<std::string>& extraEnv) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addclose(&fa, err[0]);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> envStore;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& x : extraEnv) overridden |= x.substr(0, x.find('=')) == name;
    if (!overridden) envStore.push_back(entry);
  }
  for (const auto& x : extraEnv) {
    // "JOURNAL_STREAM=@stderr": what systemd sets when stderr is the journal's stream.
    struct stat st {};
    if (x == "JOURNAL_STREAM=@stderr" && fstat(err[1], &st) == 0)
      envStore.push_back("JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" +
                         std::to_string(st.st_ino));
    else
      envStore.push_back(x);
  }
  std::vector<char*> envp;
  for (auto& e : envStore) envp.push_back(e.data());
  envp.push_back(nullptr);
  if (posix_spawn(&pid_, binary.c_str(), &fa, nullptr, argv.data(), envp.data()) != 0)
    throw std::runtime_error("posix_spawn " + binary);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  outFd_ = out[0];
  errFd_ = err[0];
}

Child::~Child() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (outFd_ >= 0) close(outFd_);
  if (errFd_ >= 0) close(errFd_);
}

void Child::signal(int sig) {
  kill(pid_, sig);
}

void Child::drainErr(std::string& err) {
  char buf[4096];
  while (true) {
    pollfd p{errFd_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) return;
    const ssize_t n = read(errFd_, buf, sizeof buf);
    if (n <= 0) return;
    err.append(buf, std::size_t(n));
  }
}

RunResult Child::wait() {
  RunResult r;
  pollfd fds[2] = {{outFd_, POLLIN, 0}, {errFd_, POLLIN, 0}};
  int open = 2;
  char buf[4096];
  while (open > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, std::size_t(n));
      }
    }
  }
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

RunResult run(const std::string& binary, const std::vector<std::string>& args,
              const std::vector<std::string>& extraEnv) {
  Child child(binary, args, extraEnv);
  return child.wait();
}

bool mapsFile(int pid, const std::string& name) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const std::size_t slash = line.rfind('/');
    if (slash != std::string::npos && line.find(name, slash) != std::string::npos) return true;
  }
  return false;
}

const std::string& calendarbot() {
  static const std::string b = env("CB_BINARY");
  return b;
}

}  // namespace cb::test
