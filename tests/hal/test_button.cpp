// hal: the button's debouncing and long presses, through a fake line that scripts edges.
#include <poll.h>
#include <catch2/catch.hpp>

#include <memory>

#include "hal/button.hpp"
#include "hal/fake_gpio.hpp"

using namespace cb::hal;
using namespace std::chrono_literals;

namespace {

// A button on a fake active-low line with a pull-up (idle level 1).
struct Rig {
  explicit Rig(int initialLevel = 1, ButtonConfig config = {}) {
    auto l = std::make_unique<FakeEdgeLine>(initialLevel);
    line = l.get();
    button = std::make_unique<Button>(std::move(l), config, clock);
  }
  // Advances time to `t` after the start and processes; returns the events.
  std::vector<ButtonEvent> at(std::chrono::nanoseconds t) {
    clock.advance(start + t - clock.now());
    std::vector<ButtonEvent> events;
    REQUIRE(button->process(events) == 0);
    return events;
  }
  std::chrono::nanoseconds time(std::chrono::nanoseconds t) const { return start + t; }

  FakeMonotonicClock clock;
  std::chrono::nanoseconds start = clock.now();
  FakeEdgeLine* line = nullptr;
  std::unique_ptr<Button> button;
};

using Events = std::vector<ButtonEvent>;
const Events kNone;
const Events kShort{ButtonEvent::ShortPress};
const Events kLong{ButtonEvent::LongPress};

}  // namespace

TEST_CASE("button: a clean press and release is one short press after debouncing",
          "[hal][button]") {
  Rig r;
  CHECK(r.button->timeoutMs() == -1);
  r.line->edge(0, r.time(0ms));
  CHECK(r.at(5ms) == kNone);
  CHECK(r.button->timeoutMs() == 25);  // the press settles at 30 ms
  CHECK(r.at(30ms) == kNone);
  CHECK(r.button->pressed());
  CHECK(r.button->timeoutMs() == 1970);  // a long press would be due at 2 s
  r.line->edge(1, r.time(300ms));
  CHECK(r.at(301ms) == kNone);  // not yet debounced
  CHECK(r.at(330ms) == kShort);
  CHECK(r.button->timeoutMs() == -1);
  CHECK(r.at(5s) == kNone);
}

TEST_CASE("button: bounces on press and release still make exactly one press", "[hal][button]") {
  Rig r;
  r.line->bounce(0, r.time(0ms), 7, 1ms);  // settles low at 6 ms
  CHECK(r.at(20ms) == kNone);
  CHECK(r.at(36ms) == kNone);
  CHECK(r.button->pressed());
  r.line->bounce(1, r.time(500ms), 9, 2ms);  // settles high at 516 ms
  CHECK(r.at(530ms) == kNone);
  CHECK(r.at(546ms) == kShort);
  CHECK(r.at(3s) == kNone);
}

TEST_CASE("button: glitches shorter than the debounce time are ignored", "[hal][button]") {
  Rig r;
  r.line->edge(0, r.time(0ms));
  r.line->edge(1, r.time(10ms));
  r.line->edge(0, r.time(100ms));
  r.line->edge(1, r.time(129ms));
  CHECK(r.at(200ms) == kNone);
  CHECK(r.at(5s) == kNone);
  CHECK_FALSE(r.button->pressed());
}

TEST_CASE("button: a long press fires while held, and nothing on release", "[hal][button]") {
  Rig r;
  r.line->edge(0, r.time(0ms));
  CHECK(r.at(1999ms) == kNone);
  CHECK(r.button->timeoutMs() == 1);
  CHECK(r.at(2000ms) == kLong);
  CHECK(r.button->timeoutMs() == -1);
  CHECK(r.at(4s) == kNone);
  r.line->bounce(1, r.time(4500ms), 3, 1ms);
  CHECK(r.at(5s) == kNone);
  // The next press is a fresh one.
  r.line->edge(0, r.time(6s));
  r.line->edge(1, r.time(6200ms));
  CHECK(r.at(7s) == kShort);
}

TEST_CASE("button: edge timestamps decide even when the loop was busy", "[hal][button]") {
  SECTION("released after 2.5 s, noticed at 3 s: long") {
    Rig r;
    r.line->edge(0, r.time(0ms));
    r.line->edge(1, r.time(2500ms));
    CHECK(r.at(3s) == kLong);
  }
  SECTION("released after 1 s, noticed at 3 s: short") {
    Rig r;
    r.line->edge(0, r.time(0ms));
    r.line->edge(1, r.time(1s));
    CHECK(r.at(3s) == kShort);
  }
  SECTION("two quick presses in one batch: a short press, then a double press") {
    Rig r;
    r.line->edge(0, r.time(0ms));
    r.line->edge(1, r.time(200ms));
    r.line->edge(0, r.time(400ms));
    r.line->edge(1, r.time(600ms));
    CHECK(r.at(1s) == Events{ButtonEvent::ShortPress, ButtonEvent::DoublePress});
  }
  SECTION("two presses half a second apart in one batch: two short presses") {
    Rig r;
    r.line->edge(0, r.time(0ms));
    r.line->edge(1, r.time(200ms));
    r.line->edge(0, r.time(700ms));
    r.line->edge(1, r.time(900ms));
    CHECK(r.at(2s) == Events{ButtonEvent::ShortPress, ButtonEvent::ShortPress});
  }
}

TEST_CASE("button: its fd polls readable when edges wait", "[hal][button]") {
  Rig r;
  pollfd p{r.button->fd(), POLLIN, 0};
  CHECK(poll(&p, 1, 0) == 0);
  r.line->edge(0, r.time(0ms));
  CHECK(poll(&p, 1, 0) == 1);
  CHECK(r.at(1ms) == kNone);
  CHECK(poll(&p, 1, 0) == 0);
}

TEST_CASE("button: held at start-up is not a press", "[hal][button]") {
  Rig r(0);
  CHECK(r.at(3s) == kNone);
  r.line->edge(1, r.time(3s));
  CHECK(r.at(4s) == kNone);
  r.line->edge(0, r.time(5s));
  r.line->edge(1, r.time(5100ms));
  CHECK(r.at(6s) == kShort);
}

TEST_CASE("button: active-high wiring and configured times", "[hal][button]") {
  ButtonConfig c;
  c.activeLow = false;
  c.debounceMs = 50;
  c.longPressMs = 1000;
  Rig r(0, c);
  r.line->edge(1, r.time(0ms));
  r.line->edge(0, r.time(40ms));  // shorter than 50 ms: a glitch
  CHECK(r.at(200ms) == kNone);
  r.line->edge(1, r.time(300ms));
  CHECK(r.at(1299ms) == kNone);
  CHECK(r.at(1300ms) == kLong);
}

TEST_CASE("button: a read error is reported", "[hal][button]") {
  Rig r;
  r.line->failNextRead(EIO);
  std::vector<ButtonEvent> events;
  CHECK(r.button->process(events) == -EIO);
  CHECK(events.empty());
}

TEST_CASE("button: a second short press soon after the first is a double press", "[hal][button]") {
  const Events kDouble{ButtonEvent::DoublePress};
  SECTION("quick: short press now, double press on the second release") {
    Rig r;
    r.line->edge(0, r.time(0ms));
    r.line->edge(1, r.time(100ms));
    CHECK(r.at(130ms) == kShort);    // never held back waiting for a second press
    r.line->edge(0, r.time(300ms));  // 200 ms after the release: within 400 ms
    r.line->edge(1, r.time(400ms));
    CHECK(r.at(430ms) == kDouble);
    // A third press starts over: a plain short press.
    r.line->edge(0, r.time(500ms));
    r.line->edge(1, r.time(600ms));
    CHECK(r.at(630ms) == kShort);
  }
  SECTION("slow: two short presses") {
    Rig r;
    r.line->edge(0, r.time(0ms));
    r.line->edge(1, r.time(100ms));
    CHECK(r.at(130ms) == kShort);
    r.line->edge(0, r.time(600ms));  // 500 ms after the release
    r.line->edge(1, r.time(700ms));
    CHECK(r.at(730ms) == kShort);
  }
  SECTION("a held second press is a long press, not a double one") {
    Rig r;
    r.line->edge(0, r.time(0ms));
    r.line->edge(1, r.time(100ms));
    CHECK(r.at(130ms) == kShort);
    r.line->edge(0, r.time(300ms));
    CHECK(r.at(2400ms) == kLong);
    r.line->edge(1, r.time(2500ms));
    CHECK(r.at(2600ms) == kNone);
    // And a press soon after a long press is a short one.
    r.line->edge(0, r.time(2700ms));
    r.line->edge(1, r.time(2800ms));
    CHECK(r.at(2900ms) == kShort);
  }
  SECTION("bounces inside a double press do not count as presses") {
    Rig r;
    r.line->bounce(0, r.time(0ms), 5, 2ms);
    r.line->bounce(1, r.time(100ms), 5, 2ms);
    CHECK(r.at(150ms) == kShort);
    r.line->bounce(0, r.time(250ms), 5, 2ms);
    r.line->bounce(1, r.time(350ms), 5, 2ms);
    CHECK(r.at(400ms) == kDouble);
  }
  SECTION("double_press_ms = 0 turns it off") {
    ButtonConfig config;
    config.doublePressMs = 0;
    Rig r(1, config);
    r.line->edge(0, r.time(0ms));
    r.line->edge(1, r.time(100ms));
    CHECK(r.at(130ms) == kShort);
    r.line->edge(0, r.time(150ms));
    r.line->edge(1, r.time(250ms));
    CHECK(r.at(280ms) == kShort);
  }
}
