// daemon: the Fetcher against a loopback HTTP server, driven by a real poll() loop.
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "daemon/fetcher.hpp"
#include "daemon/pipeline.hpp"
#include "fetch_test_support.hpp"
#include "http_server.hpp"

using namespace cb;
using namespace cb::daemon;
using namespace cb::daemon::testing;
using namespace std::chrono;
namespace fs = std::filesystem;
using Kind = FetchResult::Kind;
using test::HttpReply;
using test::HttpRequest;
using test::HttpServer;

namespace {

FetchResult fetchOnce(Fetcher& fetcher, const SourceConfig& src, bool conditional = true) {
  std::optional<FetchResult> result;
  int calls = 0;
  fetcher.start(
      src, {},
      [&](FetchResult r) {
        ++calls;
        result = std::move(r);
      },
      conditional);
  REQUIRE(calls == 0);  // never from start()
  drive(fetcher, [&] { return result.has_value(); });
  CHECK(calls == 1);
  CHECK_FALSE(fetcher.busy());
  INFO("error: " << result->error);
  return std::move(*result);
}

FetchResult fetchOnce(const std::string& url, FetcherOptions options = testOptions()) {
  Fetcher fetcher(std::move(options));
  return fetchOnce(fetcher, source(url));
}

// The error names the source and the redacted URL, and nothing secret.
void checkError(const FetchResult& r, const HttpServer& server, const std::string& needle) {
  INFO("error: " << r.error);
  CHECK(r.kind == Kind::Failed);
  CHECK_FALSE(r.store.has_value());
  CHECK(r.error.find(needle) != std::string::npos);
  CHECK(r.error.starts_with(fmt::format("work: http://127.0.0.1:{}/…: ", server.port())));
  CHECK(r.error.find('\n') == std::string::npos);
  CHECK(r.error.find("secret") == std::string::npos);
}

std::string validatorFile(const fs::path& stateDir) {
  for (const auto& e : fs::directory_iterator(stateDir / "feeds"))
    if (e.path().extension() == ".validators") return e.path().string();
  return {};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("fetcher: a good feed is streamed into a store", "[daemon][fetcher]") {
  HttpServer server;
  const std::string body = calendar(5);
  server.route("/secret/cal.ics", [&](const HttpRequest&) { return HttpReply::ok(body); });
  Fetcher fetcher(testOptions());
  CHECK(fetcher.timeoutMs() == -1);
  CHECK(fetcher.pollFds().empty());
  CHECK_FALSE(fetcher.networkStarted());
  const FetchResult r = fetchOnce(fetcher, source(server.url("/secret/cal.ics")));
  CHECK(fetcher.networkStarted());
  REQUIRE(r.kind == Kind::Updated);
  REQUIRE(r.store.has_value());
  CHECK(r.store->eventCount() == 5);
  CHECK(r.store->stats().sawCalendar);
  CHECK(r.httpStatus == 200);
  CHECK(r.bytes == body.size());
  CHECK(r.error.empty());
  CHECK(fetcher.stats().updated == 1);
  CHECK(fetcher.stats().bytesParsed == body.size());
  CHECK(fetcher.timeoutMs() == -1);
  const HttpRequest req = server.requests().at(0);
  CHECK(req.header("User-Agent").starts_with("calendarbot/"));
  CHECK(req.header("If-None-Match").empty());  // no state dir: nothing to send back
}

TEST_CASE("fetcher: ETag kept in the state dir; a 304 costs no parse", "[daemon][fetcher]") {
  TempDir state;
  HttpServer server;
  const std::string body = calendar(3);
  server.route("/cal.ics",
               [&](const HttpRequest& req) { return test::conditionalReply(req, body); });
  {
    Fetcher fetcher(testOptions(state.path));
    const FetchResult r = fetchOnce(fetcher, source(server.url("/cal.ics")));
    REQUIRE(r.kind == Kind::Updated);
  }
  const std::string file = validatorFile(state.path);
  REQUIRE_FALSE(file.empty());
  CHECK(slurp(file).find("etag: " + test::etagFor(body)) != std::string::npos);
  CHECK_FALSE(fs::exists(file + ".tmp"));

  SECTION("sent back after a restart: NotModified, nothing parsed") {
    Fetcher fetcher(testOptions(state.path));
    const FetchResult r = fetchOnce(fetcher, source(server.url("/cal.ics")));
    CHECK(r.kind == Kind::NotModified);
    CHECK_FALSE(r.store.has_value());
    CHECK(r.httpStatus == 304);
    CHECK(r.bytes == 0);
    CHECK(fetcher.stats().parses == 0);
    CHECK(fetcher.stats().bytesParsed == 0);
    CHECK(fetcher.stats().notModified == 1);
    CHECK(server.requests().back().header("If-None-Match") == test::etagFor(body));
  }
  SECTION("not sent when the caller holds no store") {
    Fetcher fetcher(testOptions(state.path));
    const FetchResult r = fetchOnce(fetcher, source(server.url("/cal.ics")), false);
    CHECK(r.kind == Kind::Updated);
    CHECK(server.requests().back().header("If-None-Match").empty());
  }
  SECTION("not sent once the last full download is too old (the store's horizon moved)") {
    FetcherOptions o = testOptions(state.path);
    o.revalidateAfter = seconds(0);
    Fetcher fetcher(o);
    CHECK(fetchOnce(fetcher, source(server.url("/cal.ics"))).kind == Kind::Updated);
    CHECK(server.requests().back().header("If-None-Match").empty());
  }
  SECTION("another URL under the same name does not reuse them") {
    server.route("/other.ics",
                 [&](const HttpRequest& req) { return test::conditionalReply(req, body); });
    Fetcher fetcher(testOptions(state.path));
    CHECK(fetchOnce(fetcher, source(server.url("/other.ics"))).kind == Kind::Updated);
    CHECK(server.requests().back().header("If-None-Match").empty());
  }
}

TEST_CASE("fetcher: Last-Modified is sent back as If-Modified-Since", "[daemon][fetcher]") {
  TempDir state;
  HttpServer server;
  const std::string stamp = "Wed, 21 Oct 2026 07:28:00 GMT";
  server.route("/cal.ics", [&](const HttpRequest& req) {
    if (req.header("If-Modified-Since") == stamp) return HttpReply::withStatus(304);
    return HttpReply::ok(calendar(2)).header("Last-Modified", stamp);
  });
  Fetcher fetcher(testOptions(state.path));
  CHECK(fetchOnce(fetcher, source(server.url("/cal.ics"))).kind == Kind::Updated);
  CHECK(fetchOnce(fetcher, source(server.url("/cal.ics"))).kind == Kind::NotModified);
  CHECK(fetcher.stats().parses == 1);
}

TEST_CASE("fetcher: a feed that changes between fetches", "[daemon][fetcher]") {
  TempDir state;
  HttpServer server;
  std::mutex mutex;
  std::string body = calendar(2, "Before");
  server.route("/cal.ics", [&](const HttpRequest& req) {
    std::lock_guard lock(mutex);
    return test::conditionalReply(req, body);
  });
  Fetcher fetcher(testOptions(state.path));
  const SourceConfig src = source(server.url("/cal.ics"));
  FetchResult r = fetchOnce(fetcher, src);
  REQUIRE(r.kind == Kind::Updated);
  CHECK(r.store->eventCount() == 2);
  CHECK(fetchOnce(fetcher, src).kind == Kind::NotModified);
  {
    std::lock_guard lock(mutex);
    body = calendar(4, "After");
  }
  r = fetchOnce(fetcher, src);
  REQUIRE(r.kind == Kind::Updated);
  CHECK(r.store->eventCount() == 4);
  const auto occ = r.store->occurrences(ics::Instant{}, ics::Instant{} + days(365 * 100));
  REQUIRE_FALSE(occ.empty());
  CHECK(occ.front().summary.starts_with("After"));
  CHECK(fetchOnce(fetcher, src).kind == Kind::NotModified);
}

TEST_CASE("fetcher: HTTP errors fail without parsing the error page", "[daemon][fetcher]") {
  HttpServer server;
  server.route("/gone/secret", [](const HttpRequest&) {
    return HttpReply::withStatus(404, calendar(1));  // even a calendar-looking body
  });
  server.route("/broken/secret",
               [](const HttpRequest&) { return HttpReply::withStatus(500, "oops\n"); });
  server.route("/always304/secret", [](const HttpRequest&) { return HttpReply::withStatus(304); });
  Fetcher fetcher(testOptions());
  FetchResult r = fetchOnce(fetcher, source(server.url("/gone/secret")));
  checkError(r, server, "HTTP 404");
  CHECK(r.httpStatus == 404);
  r = fetchOnce(fetcher, source(server.url("/broken/secret")));
  checkError(r, server, "HTTP 500");
  CHECK(fetcher.stats().parses == 0);
  // A 304 is only good news when we asked for one.
  checkError(fetchOnce(fetcher, source(server.url("/always304/secret"))), server, "304");
  CHECK(fetcher.stats().failed == 3);
}

TEST_CASE("fetcher: Retry-After of a 429 or 503 is passed on", "[daemon][fetcher]") {
  HttpServer server;
  server.route("/busy/secret", [](const HttpRequest&) {
    return HttpReply::withStatus(503).header("Retry-After", "120");
  });
  server.route("/slow-down/secret", [](const HttpRequest&) {
    return HttpReply::withStatus(429).header("Retry-After", "Fri, 31 Dec 1999 23:59:59 GMT");
  });
  server.route("/error/secret", [](const HttpRequest&) {
    return HttpReply::withStatus(500).header("Retry-After", "120");
  });
  Fetcher fetcher(testOptions());
  FetchResult r = fetchOnce(fetcher, source(server.url("/busy/secret")));
  checkError(r, server, "HTTP 503 (the server asks to retry after 120 s)");
  CHECK(r.retryAfter == seconds(120));
  r = fetchOnce(fetcher, source(server.url("/slow-down/secret")));
  checkError(r, server, "HTTP 429");
  CHECK(r.retryAfter == seconds(1));  // a date in the past: as soon as allowed
  r = fetchOnce(fetcher, source(server.url("/error/secret")));
  checkError(r, server, "HTTP 500");
  CHECK_FALSE(r.retryAfter.has_value());
}

// Collects what the fetcher writes to stderr (the log) while it lives.
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    saved_ = ::dup(2);
    file_ = std::tmpfile();
    ::dup2(::fileno(file_), 2);
  }
  ~StderrCapture() {
    if (file_ != nullptr) (void)take();
  }
  std::string take() {
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    std::rewind(file_);
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, file_)) > 0;) out.append(buf, n);
    std::fclose(file_);
    file_ = nullptr;
    return out;
  }

 private:
  int saved_ = -1;
  std::FILE* file_ = nullptr;
};

TEST_CASE("fetcher: a feed's warnings are logged once, again only when they change",
          "[daemon][fetcher]") {
  HttpServer server;
  std::mutex mutex;
  auto withZone = [](const std::string& zone) {
    std::string body = calendar(2);
    body.insert(body.find("END:VCALENDAR"),
                "BEGIN:VEVENT\r\nUID:odd@test\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=" + zone +
                    ":20250105T100000\r\nSUMMARY:Odd\r\nEND:VEVENT\r\n");
    return body;
  };
  std::string body = withZone("Mars/Olympus");
  server.route("/cal.ics", [&](const HttpRequest&) {  // no validators: always a full download
    std::lock_guard lock(mutex);
    return HttpReply::ok(body);
  });
  Fetcher fetcher(testOptions());
  const SourceConfig src = source(server.url("/cal.ics"));
  auto logOf = [&] {
    StderrCapture capture;
    const FetchResult r = fetchOnce(fetcher, src);
    std::string log = capture.take();
    CHECK(r.kind == Kind::Updated);
    return log;
  };
  CHECK(logOf().find("work: unknown TZID \"Mars/Olympus\"") != std::string::npos);
  CHECK(logOf().find("TZID") == std::string::npos);
  {
    std::lock_guard lock(mutex);
    body = withZone("Venus/Maxwell");
  }
  CHECK(logOf().find("work: unknown TZID \"Venus/Maxwell\"") != std::string::npos);
  CHECK(logOf().find("TZID") == std::string::npos);
}

TEST_CASE("fetcher: stalls end in a time-out", "[daemon][fetcher]") {
  HttpServer server;
  const std::string body = calendar(20);
  server.route("/silent/secret", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(body);
    r.mode = HttpReply::Mode::Stall;
    return r;
  });
  server.route("/halfway/secret", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(body);
    r.mode = HttpReply::Mode::StallBody;
    r.sendBytes = body.size() / 2;
    return r;
  });
  server.route("/slow-but-alive", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(calendar(4));
    r.mode = HttpReply::Mode::Slow;
    r.sendBytes = 200;
    r.interval = milliseconds(100);
    return r;
  });
  Fetcher fetcher(testOptions());
  checkError(fetchOnce(fetcher, source(server.url("/silent/secret"))), server,
             "stalled: nothing received");
  const FetchResult r = fetchOnce(fetcher, source(server.url("/halfway/secret")));
  checkError(r, server, "stalled: nothing received");
  CHECK(r.bytes == body.size() / 2);
  // Slow is not stalled: data keeps coming, so the fetch completes.
  CHECK(fetchOnce(fetcher, source(server.url("/slow-but-alive"))).kind == Kind::Updated);
}

TEST_CASE("fetcher: truncated bodies are never a new store", "[daemon][fetcher]") {
  HttpServer server;
  const std::string body = calendar(6);
  // Cut in the middle of the fourth event.
  std::size_t cut = 0;
  for (int i = 0; i < 4; ++i) cut = body.find("BEGIN:VEVENT", cut + 1);
  cut += 30;
  server.route("/short-length/secret", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(body);
    r.mode = HttpReply::Mode::Truncate;  // Content-Length says more than arrives
    r.sendBytes = cut;
    return r;
  });
  server.route("/no-length/secret", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(body.substr(0, cut));
    r.mode = HttpReply::Mode::NoLength;  // the close looks like a proper end
    return r;
  });
  server.route("/no-length-whole", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(body);
    r.mode = HttpReply::Mode::NoLength;
    return r;
  });
  server.route("/chunked-cut/secret", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(body);
    r.mode = HttpReply::Mode::ChunkedCut;  // no last chunk: the end is missing
    r.sendBytes = cut;
    return r;
  });
  server.route("/chunked", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(body);
    r.mode = HttpReply::Mode::Chunked;
    return r;
  });
  Fetcher fetcher(testOptions());
  FetchResult r = fetchOnce(fetcher, source(server.url("/chunked")));
  REQUIRE(r.kind == Kind::Updated);
  CHECK(r.store->eventCount() == 6);
  checkError(fetchOnce(fetcher, source(server.url("/chunked-cut/secret"))), server,
             "before the whole body arrived");
  r = fetchOnce(fetcher, source(server.url("/short-length/secret")));
  checkError(r, server, "before the whole body arrived");
  CHECK(r.bytes == cut);
  r = fetchOnce(fetcher, source(server.url("/no-length/secret")));
  checkError(r, server, "without END:VCALENDAR");
  r = fetchOnce(fetcher, source(server.url("/no-length-whole")));
  CHECK(r.kind == Kind::Updated);
  CHECK(r.store->eventCount() == 6);
}

TEST_CASE("fetcher: oversize bodies are abandoned", "[daemon][fetcher]") {
  HttpServer server;
  const std::string big = calendar(3000);  // ~450 KiB against a 256 KiB limit
  REQUIRE(big.size() > 256 * 1024);
  server.route("/big/secret", [&](const HttpRequest&) { return HttpReply::ok(big); });
  server.route("/big-no-length/secret", [&](const HttpRequest&) {
    HttpReply r = HttpReply::ok(big);
    r.mode = HttpReply::Mode::NoLength;
    return r;
  });
  // Small on the wire, large once decoded: the limit is on what gets parsed.
  server.route("/bomb/secret", [&](const HttpRequest&) {
    return HttpReply::ok(test::gzipEncode(big)).header("Content-Encoding", "gzip");
  });
  Fetcher fetcher(testOptions());
  checkError(fetchOnce(fetcher, source(server.url("/big/secret"))), server, "256 KiB");
  checkError(fetchOnce(fetcher, source(server.url("/big-no-length/secret"))), server,
             "larger than the");
  const FetchResult r = fetchOnce(fetcher, source(server.url("/bomb/secret")));
  checkError(r, server, "larger than the");
  CHECK(r.bytes <= 256 * 1024);
}

TEST_CASE("fetcher: garbage is not a calendar", "[daemon][fetcher]") {
  HttpServer server;
  server.route("/login/secret", [](const HttpRequest&) {
    return HttpReply::ok("<html><body>Please sign in</body></html>\n", "text/html");
  });
  server.route("/empty/secret", [](const HttpRequest&) { return HttpReply::ok(""); });
  Fetcher fetcher(testOptions());
  checkError(fetchOnce(fetcher, source(server.url("/login/secret"))), server, "not a calendar");
  checkError(fetchOnce(fetcher, source(server.url("/empty/secret"))), server, "empty");
}

TEST_CASE("fetcher: redirects are followed, loops are not", "[daemon][fetcher]") {
  HttpServer server;
  server.route("/a/secret", [&](const HttpRequest&) { return HttpReply::redirect("/b/secret"); });
  server.route("/b/secret", [&](const HttpRequest&) { return HttpReply::redirect("/a/secret"); });
  server.route("/moved", [&](const HttpRequest&) {
    return HttpReply::redirect(server.url("/here.ics"), 301);
  });
  server.route("/here.ics", [](const HttpRequest&) { return HttpReply::ok(calendar(2)); });
  Fetcher fetcher(testOptions());
  checkError(fetchOnce(fetcher, source(server.url("/a/secret"))), server, "redirects");
  CHECK(server.hits("/a/secret") + server.hits("/b/secret") == 4);  // 1 + maxRedirects
  const FetchResult r = fetchOnce(fetcher, source(server.url("/moved")));
  CHECK(r.kind == Kind::Updated);
  CHECK(r.store->eventCount() == 2);
}

TEST_CASE("fetcher: loopback and link-local addresses only for a feed configured there",
          "[daemon][fetcher]") {
  HttpServer server;
  server.route("/here.ics", [](const HttpRequest&) { return HttpReply::ok(calendar(2)); });
  const std::string port = std::to_string(server.port());
  server.route("/to-localhost", [&](const HttpRequest&) {
    return HttpReply::redirect("http://localhost:" + port + "/here.ics");
  });
  Fetcher fetcher(testOptions());
  // Configured on 127.0.0.1: its redirect to another local name is followed.
  const FetchResult local = fetchOnce(fetcher, source(server.url("/to-localhost")));
  CHECK(local.kind == Kind::Updated);
  CHECK(server.hits("/here.ics") == 1);
  // 127.0.0.1 written as a number is not a local url to us: refused before any byte is sent
  // (as a redirect from a remote feed to the device's own services would be).
  const FetchResult disguised =
      fetchOnce(fetcher, source("http://0x7f000001:" + port + "/here.ics"));
  CHECK(disguised.kind == Kind::Failed);
  CHECK(server.hits("/here.ics") == 1);
}

TEST_CASE("fetcher: gzip and deflate bodies are decoded while they stream", "[daemon][fetcher]") {
  HttpServer server;
  const std::string body = calendar(40);
  server.route("/gzip", [&](const HttpRequest& req) {
    REQUIRE(req.header("Accept-Encoding").find("gzip") != std::string::npos);
    return HttpReply::ok(test::gzipEncode(body)).header("Content-Encoding", "gzip");
  });
  server.route("/deflate", [&](const HttpRequest&) {
    return HttpReply::ok(test::deflateEncode(body)).header("Content-Encoding", "deflate");
  });
  Fetcher fetcher(testOptions());
  for (const char* path : {"/gzip", "/deflate"}) {
    INFO(path);
    const FetchResult r = fetchOnce(fetcher, source(server.url(path)));
    REQUIRE(r.kind == Kind::Updated);
    CHECK(r.store->eventCount() == 40);
    CHECK(r.bytes == body.size());  // decoded bytes
  }
}

TEST_CASE("fetcher: basic auth and bearer tokens from credentials files", "[daemon][fetcher]") {
  TempDir dir;
  HttpServer server;
  const std::string body = calendar(2);
  auto feed = [&](const HttpRequest&) { return HttpReply::ok(body); };
  server.route("/basic/secret", test::basicAuth("alice", "pa55-secret", feed));
  server.route("/bearer/secret", test::bearerAuth("tok-secret-42", feed));
  std::ofstream(dir.path / "password") << "pa55-secret\n";
  std::ofstream(dir.path / "wrong") << "guess-secret\n";
  std::ofstream(dir.path / "token") << "tok-secret-42\n";
  Fetcher fetcher(testOptions());

  SourceConfig basic = source(server.url("/basic/secret"));
  basic.username = "alice";
  basic.passwordFile = (dir.path / "password").string();
  CHECK(fetchOnce(fetcher, basic).kind == Kind::Updated);
  CHECK(server.requests().back().header("Authorization") ==
        "Basic " + test::base64("alice:pa55-secret"));

  basic.passwordFile = (dir.path / "wrong").string();
  FetchResult r = fetchOnce(fetcher, basic);
  checkError(r, server, "HTTP 401");
  CHECK(r.error.find("guess") == std::string::npos);

  SourceConfig bearer = source(server.url("/bearer/secret"));
  bearer.tokenFile = (dir.path / "token").string();
  CHECK(fetchOnce(fetcher, bearer).kind == Kind::Updated);
  CHECK(server.requests().back().header("Authorization") == "Bearer tok-secret-42");

  // Without credentials the server says no; with a missing file we never ask.
  checkError(fetchOnce(fetcher, source(server.url("/bearer/secret"))), server, "HTTP 401");
  const std::size_t before = server.requests().size();
  bearer.tokenFile = (dir.path / "missing").string();
  checkError(fetchOnce(fetcher, bearer), server, "cannot read credentials file");
  CHECK(server.requests().size() == before);
}

TEST_CASE("fetcher: URL secrets never reach an error", "[daemon][fetcher]") {
  HttpServer server;
  const std::string url = fmt::format(
      "http://bob:hunter2-secret@127.0.0.1:{}/owa/calendar/TOKEN-secret/calendar.ics?key=qs-secret",
      server.port());
  Fetcher fetcher(testOptions());
  const FetchResult r = fetchOnce(fetcher, source(url));
  checkError(r, server, "HTTP 404");
  CHECK(r.error.find("bob") == std::string::npos);
  CHECK(r.error.find("TOKEN") == std::string::npos);
  CHECK(r.error.find("key=") == std::string::npos);
  // User info in the URL is used (basic auth), just never printed.
  CHECK(server.requests().back().header("Authorization") ==
        "Basic " + test::base64("bob:hunter2-secret"));
}

TEST_CASE("fetcher: https verifies, webcal means https", "[daemon][fetcher]") {
  HttpServer server;  // plain HTTP: a TLS handshake with it must fail cleanly
  server.route("/cal.ics", [](const HttpRequest&) { return HttpReply::ok(calendar(1)); });
  Fetcher fetcher(testOptions());
  const std::string hostPort = fmt::format("127.0.0.1:{}", server.port());
  FetchResult r = fetchOnce(fetcher, source("https://" + hostPort + "/cal.ics"));
  CHECK(r.kind == Kind::Failed);
  CHECK(r.error.starts_with("work: https://" + hostPort + "/…: "));
  CHECK(r.error.find("TLS") != std::string::npos);
  r = fetchOnce(fetcher, source("webcal://" + hostPort + "/cal.ics"));
  CHECK(r.kind == Kind::Failed);
  CHECK(r.error.starts_with("work: webcal://" + hostPort + "/…: "));
  CHECK(r.error.find("TLS") != std::string::npos);
  CHECK(server.hits("/cal.ics") == 0);  // the server never saw an HTTP request
}

TEST_CASE("fetcher: connection refused", "[daemon][fetcher]") {
  int port = 0;
  {
    HttpServer gone;
    port = gone.port();
  }
  const FetchResult r = fetchOnce(fmt::format("http://127.0.0.1:{}/x", port));
  CHECK(r.kind == Kind::Failed);
  CHECK(r.error.find("cannot connect") != std::string::npos);
}

TEST_CASE("fetcher: file paths, with a NotModified of their own", "[daemon][fetcher]") {
  TempDir dir;
  const fs::path file = dir.path / "cal.ics";
  std::ofstream(file) << calendar(3);
  Fetcher fetcher(testOptions(dir.path / "state"));
  SourceConfig src = source(file.string(), "home");
  FetchResult r = fetchOnce(fetcher, src);
  REQUIRE(r.kind == Kind::Updated);
  CHECK(r.store->eventCount() == 3);
  CHECK(fetchOnce(fetcher, src).kind == Kind::NotModified);
  CHECK(fetchOnce(fetcher, src, false).kind == Kind::Updated);
  std::ofstream(file) << calendar(5);
  r = fetchOnce(fetcher, src);
  REQUIRE(r.kind == Kind::Updated);
  CHECK(r.store->eventCount() == 5);
  src.url = "file://" + file.string();
  CHECK(fetchOnce(fetcher, src).kind == Kind::Updated);

  CHECK_FALSE(fetcher.networkStarted());  // files never set up libcurl or TLS

  std::ofstream(dir.path / "half.ics") << calendar(5).substr(0, 300);
  r = fetchOnce(fetcher, source((dir.path / "half.ics").string(), "home"));
  CHECK(r.kind == Kind::Failed);
  CHECK(r.error.starts_with("home: …/half.ics: incomplete calendar"));
  r = fetchOnce(fetcher, source((dir.path / "missing.ics").string(), "home"));
  CHECK(r.kind == Kind::Failed);
  CHECK(r.error.find("cannot open") != std::string::npos);
}

TEST_CASE("fetcher: several sources at once, cancel and restart", "[daemon][fetcher]") {
  HttpServer server;
  server.route("/good", [](const HttpRequest&) { return HttpReply::ok(calendar(2)); });
  server.route("/missing", [](const HttpRequest&) { return HttpReply::withStatus(404); });
  server.route("/stall", [](const HttpRequest&) {
    HttpReply r = HttpReply::ok(calendar(2));
    r.mode = HttpReply::Mode::Stall;
    return r;
  });
  Fetcher fetcher(testOptions());
  std::map<std::string, FetchResult> results;
  auto collect = [&](const std::string& name) {
    return [&results, name](FetchResult r) { results.emplace(name, std::move(r)); };
  };
  fetcher.start(source(server.url("/good"), "a"), {}, collect("a"));
  fetcher.start(source(server.url("/missing"), "b"), {}, collect("b"));
  fetcher.start(source(server.url("/stall"), "c"), {}, collect("c"));
  CHECK(fetcher.busy());
  drive(fetcher, [&] { return results.size() == 3; });
  CHECK(results.at("a").kind == Kind::Updated);
  CHECK(results.at("b").kind == Kind::Failed);
  CHECK(results.at("c").kind == Kind::Failed);

  SECTION("one transfer at a time by default; a queued one's stall clock waits") {
    std::vector<std::string> order;
    fetcher.start(source(server.url("/stall"), "c"), {}, [&](FetchResult r) {
      CHECK(r.kind == Kind::Failed);
      order.push_back("c");
    });
    fetcher.start(source(server.url("/good"), "a"), {}, [&](FetchResult r) {
      CHECK(r.kind == Kind::Updated);
      order.push_back("a");
    });
    drive(fetcher, [&] { return order.size() == 2; });
    CHECK(order == std::vector<std::string>{"c", "a"});
  }
  SECTION("maxConcurrent lets them overlap") {
    FetcherOptions o = testOptions();
    o.maxConcurrent = 2;
    Fetcher parallel(o);
    std::vector<std::string> order;
    parallel.start(source(server.url("/stall"), "c"), {},
                   [&](FetchResult) { order.push_back("c"); });
    parallel.start(source(server.url("/good"), "a"), {},
                   [&](FetchResult) { order.push_back("a"); });
    drive(parallel, [&] { return order.size() == 2; });
    CHECK(order == std::vector<std::string>{"a", "c"});
  }
  SECTION("cancelAll: no callback, idle") {
    bool called = false;
    fetcher.start(source(server.url("/stall"), "c"), {}, [&](FetchResult) { called = true; });
    for (int i = 0; i < 3; ++i) {
      std::vector<pollfd> fds = fetcher.pollFds();
      (void)::poll(fds.data(), fds.size(), 50);
      fetcher.process(fds);
    }
    fetcher.cancelAll();
    CHECK_FALSE(fetcher.busy());
    CHECK(fetcher.timeoutMs() == -1);
    CHECK(fetcher.pollFds().empty());
    std::vector<pollfd> none;
    fetcher.process(none);
    CHECK_FALSE(called);
  }
  SECTION("starting a source again replaces its fetch in flight") {
    int stalled = 0, good = 0;
    fetcher.start(source(server.url("/stall"), "c"), {}, [&](FetchResult) { ++stalled; });
    fetcher.start(source(server.url("/good"), "c"), {},
                  [&](FetchResult r) { good += r.kind == Kind::Updated; });
    drive(fetcher, [&] { return good == 1; });
    CHECK(stalled == 0);
  }
  SECTION("a callback may start the next fetch") {
    int done = 0;
    fetcher.start(source(server.url("/good"), "a"), {}, [&](FetchResult) {
      ++done;
      fetcher.start(source(server.url("/good"), "a"), {}, [&](FetchResult) { ++done; });
    });
    drive(fetcher, [&] { return done == 2; });
  }
}

TEST_CASE("fetcher: the CLI's loadCalendar fetches URLs", "[daemon][fetcher]") {
  HttpServer server;
  server.route("/cal.ics", [](const HttpRequest&) { return HttpReply::ok(calendar(7)); });
  std::string error;
  auto store = loadCalendar(server.url("/cal.ics"), {}, server.url("/cal.ics"), error);
  REQUIRE(store.has_value());
  CHECK(store->eventCount() == 7);
  const std::string secretUrl = server.url("/nope/secret-token");
  store = loadCalendar(secretUrl, {}, secretUrl, error);
  CHECK_FALSE(store.has_value());
  CHECK(error == fmt::format("http://127.0.0.1:{}/…: HTTP 404 (the feed's URL is wrong or was "
                             "revoked)",
                             server.port()));
  store = loadCalendar("gopher://example.com/x", {}, "gopher://example.com/x", error);
  CHECK_FALSE(store.has_value());
  CHECK(error.find("unsupported URL scheme") != std::string::npos);
}

TEST_CASE("fetcher: the loopback server as a program (directory + mode files)",
          "[daemon][fetcher]") {
  TempDir dir;
  std::ofstream(dir.path / "cal.ics") << calendar(3);
  HttpServer server;
  server.fallback(test::directoryHandler(dir.path.string()));
  TempDir state;
  Fetcher fetcher(testOptions(state.path));
  const SourceConfig src = source(server.url("/cal.ics"));
  CHECK(fetchOnce(fetcher, src).kind == Kind::Updated);
  CHECK(fetchOnce(fetcher, src).kind == Kind::NotModified);
  std::ofstream(dir.path / "cal.ics.mode") << "status 500\n";
  checkError(fetchOnce(fetcher, src), server, "HTTP 500");
  std::ofstream(dir.path / "cal.ics.mode") << "gzip\nbasic u p\n";
  checkError(fetchOnce(fetcher, src), server, "HTTP 401");
  std::ofstream(dir.path / "cal.ics.mode") << "truncate 100\n";
  checkError(fetchOnce(fetcher, src, false), server, "before the whole body");
  std::ofstream(dir.path / "cal.ics.mode") << "stall-body 10\n";
  checkError(fetchOnce(fetcher, src, false), server, "stalled: nothing received");
  fs::remove(dir.path / "cal.ics.mode");
  std::ofstream(dir.path / "cal.ics") << calendar(4);
  const FetchResult r = fetchOnce(fetcher, src);
  REQUIRE(r.kind == Kind::Updated);
  CHECK(r.store->eventCount() == 4);
}

TEST_CASE("retryDelay: exponential, capped, jittered, deterministic", "[daemon][fetcher]") {
  const seconds base{30}, cap{1800};
  // Attempt 1 lies in [base/2, base]; each attempt doubles until the cap.
  CHECK(retryDelay(1, base, cap, 0) == seconds(15));
  CHECK(retryDelay(1, base, cap, 15) == seconds(30));
  CHECK(retryDelay(1, base, cap, 16) == seconds(15));  // wraps within the range
  CHECK(retryDelay(2, base, cap, 0) == seconds(30));
  CHECK(retryDelay(3, base, cap, 0) == seconds(60));
  CHECK(retryDelay(3, base, cap, 60) == seconds(120));
  CHECK(retryDelay(7, base, cap, 0) == seconds(900));
  CHECK(retryDelay(8, base, cap, 0) == seconds(900));  // capped at 1800, half of it
  CHECK(retryDelay(1000, base, cap, 900) == cap);      // no overflow
  CHECK(retryDelay(0, base, cap, 0) == seconds(15));   // treated as the first
  CHECK(retryDelay(1, seconds(1), seconds(1), 7) >= seconds(1));
  for (std::uint32_t r : {0u, 1u, 12345u, 4294967295u})
    for (int a = 1; a < 20; ++a) {
      const seconds d = retryDelay(a, base, cap, r);
      CHECK(d >= seconds(1));
      CHECK(d <= cap);
      CHECK(d == retryDelay(a, base, cap, r));
    }
  // Different random values spread sources apart.
  std::set<long> spread;
  for (std::uint32_t r = 0; r < 50; ++r) spread.insert(retryDelay(4, base, cap, r * 7919).count());
  CHECK(spread.size() > 10);
}
