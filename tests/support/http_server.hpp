// A scripted loopback HTTP/1.1 server for fetcher and daemon tests (in-process or cb_test_httpd).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cb::test {

struct HttpRequest {
  std::string method;
  std::string target;                                        // as sent: path and query
  std::string path;                                          // without the query
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  // The value of header `name` (any case), empty when absent.
  [[nodiscard]] std::string header(std::string_view name) const;
};

// What to answer, and how badly.
struct HttpReply {
  enum class Mode {
    Normal,      // status line, headers, Content-Length, body, then close
    NoLength,    // no Content-Length: the body ends when the connection closes
    Truncate,    // Content-Length of the whole body, only `sendBytes` of it, then close
    Stall,       // reads the request and never answers
    StallBody,   // headers and `sendBytes` of the body, then silence
    Slow,        // the whole body, `sendBytes` (at least 1) every `interval`
    Chunked,     // Transfer-Encoding: chunked, 1000-byte chunks, properly ended
    ChunkedCut,  // chunked, but the connection closes after `sendBytes` of the body
    Endless,     // no Content-Length; `body`, then its last `sendBytes` bytes over and over,
                 // `interval` apart (0: at full speed), until the client goes away
  };
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Mode mode = Mode::Normal;
  std::size_t sendBytes = 0;
  std::chrono::milliseconds interval{200};

  [[nodiscard]] static HttpReply ok(std::string body,
                                    std::string contentType = "text/calendar; charset=utf-8");
  [[nodiscard]] static HttpReply withStatus(int status, std::string body = {});
  [[nodiscard]] static HttpReply redirect(std::string location, int status = 302);
  HttpReply& header(std::string name, std::string value);
  [[nodiscard]] std::string header(std::string_view name) const;
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

// Listens on 127.0.0.1 (port 0: any free one) in a background thread, one
// more thread per connection; every response closes its connection.
// Requests whose path has no route go to the fallback (404 by default).
class HttpServer {
 public:
  explicit HttpServer(int port = 0);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void route(std::string path, HttpHandler handler);
  void fallback(HttpHandler handler);
  [[nodiscard]] int port() const;
  // "http://127.0.0.1:PORT" + target.
  [[nodiscard]] std::string url(std::string_view target) const;
  [[nodiscard]] std::vector<HttpRequest> requests() const;
  [[nodiscard]] std::size_t hits(std::string_view path) const;
  // Optional: one line per request ("GET /x → 200, 1234 bytes") goes here.
  void setLog(std::function<void(const std::string&)> log);
  // Ends every connection and stops listening (the destructor does it too).
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// ---- Scripted behaviours (building blocks for routes) ----

// gzip (Content-Encoding: gzip) or zlib-wrapped deflate (Content-Encoding: deflate).
[[nodiscard]] std::string gzipEncode(std::string_view data);
[[nodiscard]] std::string deflateEncode(std::string_view data);
// A strong ETag for `body`: a quoted hash of its bytes.
[[nodiscard]] std::string etagFor(std::string_view body);
// 200 with an ETag; 304 when the request's If-None-Match carries it.
[[nodiscard]] HttpReply conditionalReply(const HttpRequest& request, std::string body);
// `inner` behind basic auth (401 with WWW-Authenticate otherwise).
[[nodiscard]] HttpHandler basicAuth(std::string user, std::string password, HttpHandler inner);
// `inner` behind "Authorization: Bearer TOKEN".
[[nodiscard]] HttpHandler bearerAuth(std::string token, HttpHandler inner);
[[nodiscard]] std::string base64(std::string_view data);

// Serves the files of `dir`, steered by optional "<file>.mode" files that are
// re-read on every request (so a test can change behaviour between fetches).
// Each line of a mode file is one directive:
//   status CODE        answer CODE (with the file as the body when it exists)
//   redirect TARGET    302 to TARGET
//   stall              never answer
//   stall-body N       headers and N body bytes, then silence
//   slow MS            one 64-byte piece every MS milliseconds
//   truncate N         announce the whole file, send N bytes, close
//   no-length          no Content-Length, close at the end
//   chunked            Transfer-Encoding: chunked
//   chunked-cut N      chunked, closed after N body bytes (no last chunk)
//   gzip | deflate     compress the body
//   basic USER PASS    require basic auth
//   bearer TOKEN       require a bearer token
// Plain files get an ETag and a Last-Modified and honour If-None-Match.
[[nodiscard]] HttpHandler directoryHandler(std::string dir);

}  // namespace cb::test
