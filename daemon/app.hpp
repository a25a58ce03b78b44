// App: the running daemon — sources and their last good stores, the layout cycle, the display.
#pragma once

#include <poll.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "daemon/config.hpp"
#include "daemon/fetcher.hpp"
#include "daemon/frame_digest.hpp"
#include "daemon/monitor.hpp"
#include "daemon/notify.hpp"
#include "hal/clock.hpp"
#include "hal/display.hpp"
#include "ics/store.hpp"
#include "layouts/agenda.hpp"
#include "layouts/focus.hpp"
#include "render/frame.hpp"

namespace cb::daemon {

// How App fetches feeds: asynchronously, driven by the event loop's poll().
class FeedLoader {
 public:
  virtual ~FeedLoader() = default;
  // The loader decides when a conditional request is safe (ChildFeedLoader:
  // only after this process received a whole copy of the source).
  virtual void start(const SourceConfig& source, const ics::IngestOptions& options,
                     std::function<void(FetchResult)> done) = 0;
  [[nodiscard]] virtual std::vector<pollfd> pollFds() const = 0;
  [[nodiscard]] virtual int timeoutMs() const = 0;  // -1: nothing pending
  virtual void process(std::span<const pollfd> ready) = 0;
  virtual void cancelAll() = 0;
};

struct SourceState {
  SourceConfig config;
  std::optional<ics::EventStore> store{};  // the last good data
  std::optional<ics::Instant> lastSuccess{};
  std::optional<ics::Instant> lastFailure{};
  std::string lastError{};
  int failures = 0;  // consecutive
  bool inFlight = false;
  ics::Instant nextFetch{};
  std::uint64_t snapshotSum = 0;  // checksum of the store image last written or loaded
  // The first fetch that dropped to zero or lost most events (see App::suspectDrop).
  std::optional<ics::Instant> suspectSince{};
};

class App {
 public:
  App(Config config, hal::Clock& clock, std::unique_ptr<hal::Display> display,
      std::unique_ptr<FeedLoader> loader);
  ~App();

  // Loads each source's snapshot from the state dir (the last good data of the
  // previous run); a corrupt, old or foreign one is ignored with a log line.
  void loadSnapshots();
  // Starts fetches whose time has come (force: all of them now).
  void refreshDue(bool force = false);
  // Draws the current layout and shows it unless it is unchanged. Returns
  // true when a frame went to the display.
  bool renderNow();
  void nextLayout();
  // A double press: its first press already cycled the layout (stepped back here),
  // and the meeting the countdown serves is skipped until it ends (whats-next then
  // counts down to the one after it). False when there is nothing to skip.
  bool skipCountdown();
  // Once after start and after each reload: draws the cycle's other layouts
  // off-screen so switching to one (the button) costs a steady frame, not a
  // first one. Returns how many were drawn (0 when already done).
  std::size_t prewarm();
  // True once after data or a source's state changed since the last call.
  [[nodiscard]] bool takeDirty() { return std::exchange(dirty_, false); }
  [[nodiscard]] bool fetching() const;
  // Applies a validated new config; keeps the stores of unchanged sources.
  // `display` replaces the current one when non-null.
  void applyConfig(Config config, std::unique_ptr<hal::Display> display);

  // Whether the minute's timer should redraw: always, except on e-ink where the
  // countdown far from its moment moves in steps (daemon/eink_pacing.hpp).
  [[nodiscard]] bool redrawDue() const;
  // The next instant something on screen can change or a fetch is due.
  [[nodiscard]] ics::Instant nextWake() const;
  [[nodiscard]] std::string statusLine() const;  // for sd_notify STATUS=
  // When the screens say "offline since": the oldest last success of a source whose
  // latest fetch failed and whose data is older than twice its interval. A snapshot's
  // age alone never says offline (unchanged feeds do not rewrite it): a fetch must fail.
  [[nodiscard]] std::optional<ics::Instant> offlineSince(ics::Instant now) const;
  [[nodiscard]] const Config& config() const { return config_; }
  [[nodiscard]] FeedLoader& loader() { return *loader_; }
  [[nodiscard]] Monitor& monitor() { return monitor_; }
  [[nodiscard]] std::size_t framesShown() const { return framesShown_; }
  // How often the heap was given back to the system (malloc_trim): after the
  // first frame and after each frame that follows new data, never per minute.
  [[nodiscard]] std::size_t heapTrims() const { return heapTrims_; }
  [[nodiscard]] const std::vector<SourceState>& sources() const { return sources_; }

  // A long button press: forget what the panel shows so the next frame redraws
  // it whole (e-ink: a full refresh that clears ghosting).
  void invalidateDisplay();

  // Governor hooks.
  void dropRenderCaches();
  void shrinkHorizon();

 private:
  void onFetched(std::size_t index, FetchResult outcome);
  // True when `fresh` is held back: `s` had events and `fresh` has none, or under half of at
  // least 10. A calendar server's transient fault looks exactly like that; the last good data
  // stays until a fetch at least fetch.confirm_drop after the first such one says the same.
  [[nodiscard]] bool suspectDrop(SourceState& s, const ics::EventStore& fresh, ics::Instant now);
  [[nodiscard]] ics::IngestOptions ingestOptions(std::size_t index) const;
  // The agenda of every store around now, cached (see app.cpp).
  [[nodiscard]] const layouts::Agenda& currentAgenda() const;
  [[nodiscard]] std::string snapshotPath(const SourceState& s) const;
  [[nodiscard]] std::string snapshotMeta(const SourceState& s) const;
  void saveSnapshot(SourceState& s);
  // The current data drawn in the cycle's layout `layoutIndex`.
  [[nodiscard]] render::Frame draw(std::size_t layoutIndex) const;
  // Shows `frame` unless the display has it already; true when it was shown.
  bool show(render::Frame frame);

  Config config_;
  hal::Clock& clock_;
  std::unique_ptr<hal::Display> display_;
  std::unique_ptr<FeedLoader> loader_;
  const ics::TimeZone* zone_;
  std::vector<SourceState> sources_;
  std::size_t layoutIndex_ = 0;
  // Meetings skipped with the button, each with its end (then forgotten).
  std::vector<std::pair<layouts::SkipKey, ics::Instant>> skipped_;
  bool repainted_ = false;  // the last show() rewrote the whole panel
  FrameDigest lastDigest_;  // of the frame on the display (empty: none or forgotten)
  std::uint64_t lastHash_ = 0;
  ics::Instant lastDrawnAt_{};  // when the frame on the display was drawn
  mutable std::optional<layouts::Agenda> agenda_;
  mutable ics::Instant agendaFrom_{};  // built at; reused for a day from then
  std::size_t framesShown_ = 0;
  std::size_t heapTrims_ = 0;
  bool trimDue_ = true;     // the first frame, then new data: the heap's high water is behind us
  bool prewarmDue_ = true;  // after start and after each reload
  bool dirty_ = false;
  bool icalNoted_ = false;  // "libical loaded" was logged
  std::chrono::days horizon_;
  Monitor monitor_;
};

}  // namespace cb::daemon
