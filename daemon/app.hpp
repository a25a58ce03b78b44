// App: the running daemon — sources, stores, the current layout and the display.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config.hpp"
#include "hal/clock.hpp"
#include "hal/display.hpp"
#include "ics/store.hpp"
#include "render/frame.hpp"

namespace cb::daemon {

struct SourceState {
  SourceConfig config;
  std::optional<ics::EventStore> store;  // the last good data
  std::optional<ics::Instant> lastSuccess;
  std::optional<ics::Instant> lastFailure;
  ics::Instant nextFetch{};
};

class App {
 public:
  App(Config config, hal::Clock& clock, std::unique_ptr<hal::Display> display);

  // Fetches every source whose time has come; keeps the last good store on failure.
  void refreshDue();
  // Draws the current layout and shows it unless it is unchanged.
  void renderNow();
  void nextLayout();

  [[nodiscard]] const Config& config() const { return config_; }
  [[nodiscard]] std::size_t framesShown() const { return framesShown_; }

 private:
  void fetch(SourceState& source);

  Config config_;
  hal::Clock& clock_;
  std::unique_ptr<hal::Display> display_;
  const ics::TimeZone* zone_;
  std::vector<SourceState> sources_;
  std::size_t layoutIndex_ = 0;
  std::optional<render::Frame> lastFrame_;
  std::size_t framesShown_ = 0;
};

// Runs the event loop until SIGTERM/SIGINT; `once` renders one frame and returns.
[[nodiscard]] int runDaemon(App& app, bool once);

}  // namespace cb::daemon
