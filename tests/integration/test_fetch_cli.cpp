// Integration: `occurrences` and `render` read URLs, served by the standalone cb_test_httpd.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "process.hpp"
#include "support.hpp"

using namespace cb;
namespace fs = std::filesystem;

extern char** environ;

namespace {

// cb_test_httpd serving `dir`; its port is the first line it prints.
class TestHttpd {
 public:
  explicit TestHttpd(const fs::path& dir) {
    const std::string exe = test::env("CB_TEST_HTTPD");
    REQUIRE_FALSE(exe.empty());
    int out[2];
    REQUIRE(::pipe(out) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const std::string dirArg = dir.string();
    char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>("--quiet"),
                    const_cast<char*>(dirArg.c_str()), nullptr};
    REQUIRE(posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(out[0]);
    port_ = std::atoi(line.c_str());
    REQUIRE(port_ > 0);
  }
  ~TestHttpd() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  [[nodiscard]] std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("occurrences and render fetch http URLs", "[integration]") {
  const fs::path dir = test::tempDir("fetch-cli");
  fs::copy_file(test::fixture("meeting-day.ics"), dir / "cal.ics");
  const std::string binary = test::env("CB_BINARY");
  TestHttpd httpd(dir);
  const std::vector<std::string> window = {"--from", "2025-03-01", "--to", "2025-04-01"};

  auto occurrences = [&](const std::string& location) {
    std::vector<std::string> args{"occurrences", location};
    args.insert(args.end(), window.begin(), window.end());
    return test::run(binary, args);
  };
  const auto fromFile = occurrences((dir / "cal.ics").string());
  REQUIRE(fromFile.exitCode == 0);
  REQUIRE_FALSE(fromFile.out.empty());

  // The same TSV from the URL, plain and gzip-encoded.
  auto r = occurrences(httpd.url("/cal.ics"));
  CHECK(r.exitCode == 0);
  CHECK(r.out == fromFile.out);
  std::ofstream(dir / "cal.ics.mode") << "gzip\n";
  r = occurrences(httpd.url("/cal.ics"));
  CHECK(r.exitCode == 0);
  CHECK(r.out == fromFile.out);

  // Failures: one ERROR line, exit 1, nothing secret in it.
  std::ofstream(dir / "cal.ics.mode") << "truncate 700\n";
  r = occurrences(httpd.url("/cal.ics?token=s3cret"));
  CHECK(r.exitCode == 1);
  CHECK(r.out.starts_with("ERROR\thttp://127.0.0.1:"));
  CHECK(r.out.find("before the whole body arrived") != std::string::npos);
  CHECK(r.out.find("s3cret") == std::string::npos);
  CHECK(r.err.find("s3cret") == std::string::npos);
  r = occurrences(httpd.url("/private/s3cret/missing.ics"));
  CHECK(r.exitCode == 1);
  CHECK(r.out.find("HTTP 404") != std::string::npos);
  CHECK(r.out.find("s3cret") == std::string::npos);
  // A refused connection is a failure too; a body that is no calendar is exit 3.
  r = occurrences("http://127.0.0.1:1/cal.ics");
  CHECK(r.exitCode == 1);
  CHECK(r.out.starts_with("ERROR\t"));
  std::ofstream(dir / "page.html") << "<html><body>Log in first</body></html>\n";
  r = occurrences(httpd.url("/page.html"));
  CHECK(r.exitCode == 3);
  CHECK(r.out.starts_with("ERROR\t"));

  // render merges a URL with a file.
  fs::remove(dir / "cal.ics.mode");
  const std::string png = (dir / "frame.png").string();
  r = test::run(binary, {"render", "--ics", httpd.url("/cal.ics"), (dir / "cal.ics").string(),
                         "--layout", "4x8", "--at", "2025-03-10T08:30:00Z", "--out", png});
  INFO(r.err);
  CHECK(r.exitCode == 0);
  CHECK(fs::file_size(png) > 1000);
  fs::remove_all(dir);
}
