// daemon: the option parser and URL redaction.
#include <catch2/catch.hpp>

#include "daemon/args.hpp"
#include "daemon/log.hpp"

using cb::daemon::Args;

TEST_CASE("options, values and errors", "[daemon]") {
  const Args a({"--at", "2025-01-01", "--ics", "a.ics", "b.ics", "--12h", "--out=x.png"},
               {"at", "ics", "out"}, {"12h"});
  CHECK(a.error().empty());
  CHECK(a.value("at") == "2025-01-01");
  CHECK(a.values("ics") == std::vector<std::string>{"a.ics", "b.ics"});
  CHECK(a.has("12h"));
  CHECK(a.value("out") == "x.png");
  CHECK(Args({"--bogus"}, {}, {}).error() == "unknown option --bogus");
  CHECK(Args({"--at"}, {"at"}, {}).error() == "--at needs a value");
}

TEST_CASE("feed URLs are never logged whole", "[daemon]") {
  using cb::log::redactUrl;
  CHECK(
      redactUrl(
          "https://user:pw@outlook.office365.com/owa/calendar/abc/secret/reachcalendar.ics?x=1") ==
      "https://outlook.office365.com/…");
  CHECK(redactUrl("webcal://p01-caldav.icloud.com/published/2/TOKEN") ==
        "webcal://p01-caldav.icloud.com/…");
  CHECK(redactUrl("/home/alice/cal.ics") == "…/cal.ics");
}
