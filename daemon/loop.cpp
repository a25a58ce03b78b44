// The poll loop: signalfd, a CLOCK_REALTIME timerfd for wall-clock wake-ups,
// the feed loader's sockets, and monotonic housekeeping (governor, watchdog, monitor).
#include "daemon/loop.hpp"

#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/governor.hpp"
#include "daemon/log.hpp"
#include "hal/button.hpp"
#include "hal/sys.hpp"
#include "render/fonts.hpp"

namespace cb::daemon {
namespace {

using namespace std::chrono;

void armAt(int fd, ics::Instant at) {
  itimerspec spec{};
  spec.it_value.tv_sec = std::max<long>(1, at.time_since_epoch().count());
  // CANCEL_ON_SET: a clock step (NTP at boot) wakes us to re-plan.
  if (timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr) != 0)
    log::error("timerfd_settime: {} (the next wake-up may be late)", std::strerror(errno));
}

// Blocks the daemon's signals (they arrive through the signalfd instead).
class SignalMask {
 public:
  SignalMask() {
    sigemptyset(&mask_);
    for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP}) sigaddset(&mask_, s);
    ok_ = sigprocmask(SIG_BLOCK, &mask_, &old_) == 0;
    if (!ok_) log::error("sigprocmask: {}", std::strerror(errno));
  }
  ~SignalMask() {
    if (ok_) (void)sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  SignalMask(const SignalMask&) = delete;
  SignalMask& operator=(const SignalMask&) = delete;
  [[nodiscard]] const sigset_t& mask() const { return mask_; }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  sigset_t mask_{};
  sigset_t old_{};
  bool ok_ = false;
};

std::unique_ptr<hal::Button> openButton(const Config& config, hal::MonotonicClock& clock) {
  if (!config.button) return nullptr;
  std::string error;
  auto button = hal::Button::create(*config.button, clock, error);
  if (!button)
    log::warning("button: {} (SIGUSR1 still cycles layouts)", error);
  else
    log::info("button: {}", button->describe());
  return button;
}

void reload(App& app, const std::string& path, hal::MonotonicClock& mono) {
  log::info("SIGHUP: reloading {}", path);
  ConfigResult r = loadConfig(path);
  if (!r.ok()) {
    for (const std::string& e : r.errors) log::error("{}", e);
    log::error("reload refused: {} has {} error(s); the running config stays", path,
               r.errors.size());
    return;
  }
  std::unique_ptr<hal::Display> display;
  const hal::DisplayConfig& old = app.config().display;
  const hal::DisplayConfig& neu = r.config.display;
  if (!(old == neu)) {
    std::string error;
    display = hal::createDisplay(neu, error, &mono);
    if (!display) {
      log::error("reload refused: {}; the running config stays", error);
      return;
    }
  }
  log::Level level = log::Level::Info;
  if (log::parseLevel(r.config.logLevel, level)) log::setLevel(level);
  app.applyConfig(std::move(r.config), std::move(display));
  log::info("config reloaded: {}", app.statusLine());
}

}  // namespace

int runDaemon(App& app, Notifier& notifier, const LoopOptions& options, hal::MonotonicClock& mono) {
  SignalMask signals;
  if (!signals.ok()) return 1;  // signals would kill us instead of reaching the signalfd
  const hal::UniqueFd sfd(signalfd(-1, &signals.mask(), SFD_CLOEXEC | SFD_NONBLOCK));
  const hal::UniqueFd tfd(timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!sfd.valid() || !tfd.valid()) {
    log::error("signalfd/timerfd: {}", std::strerror(errno));
    return 1;
  }

  // First frame from what we have (the snapshot) before any network activity.
  if (!options.once) app.renderNow();
  std::string lastStatus = app.statusLine();
  notifier.notify(fmt::format("READY=1\nSTATUS={}", lastStatus));
  app.refreshDue();

  Governor governor(std::uint64_t(app.config().rssTargetMb) * 1024 * 1024, readRssBytes,
                    Governor::Actions{
                        .dropRenderCaches = [&app] { app.dropRenderCaches(); },
                        .shrinkHorizon = [&app] { app.shrinkHorizon(); },
                        .resetFontCaches = [] { render::resetFontCaches(); },
                        .trimHeap = [] { malloc_trim(0); },
                    });
  const auto watchdog = notifier.watchdogPeriod();
  const auto governorEvery = seconds{10};
  const auto monitorEvery = minutes{5};
  auto nextGovernor = steady_clock::now() + governorEvery;
  auto nextWatchdog = steady_clock::now();
  auto nextMonitor = steady_clock::now() + monitorEvery;
  double monitorCpu = processCpuSeconds();
  auto monitorWall = steady_clock::now();

  auto open = [&]() -> std::unique_ptr<hal::Button> {
    if (options.once) return nullptr;
    return options.openButton ? options.openButton(app.config(), mono)
                              : openButton(app.config(), mono);
  };
  std::unique_ptr<hal::Button> button = open();
  std::vector<hal::ButtonEvent> presses;

  armAt(tfd.get(), app.nextWake());
  if (!options.once)
    log::info("running: {} (SIGTERM stops, SIGHUP reloads, SIGUSR1 next layout, SIGUSR2 refresh)",
              app.statusLine());
  while (true) {
    if (options.once && !app.fetching()) {  // nothing to wait for (no sources at all, say)
      app.renderNow();
      return 0;
    }
    // Fixed slots: signals, wall-clock timer, button (fd -1 when absent), then the feeds.
    std::vector<pollfd> fds = {
        {sfd.get(), POLLIN, 0}, {tfd.get(), POLLIN, 0}, {button ? button->fd() : -1, POLLIN, 0}};
    const std::vector<pollfd> feedFds = app.loader().pollFds();
    fds.insert(fds.end(), feedFds.begin(), feedFds.end());

    auto deadline = nextGovernor;
    if (watchdog) deadline = std::min(deadline, nextWatchdog);
    if (app.monitor().enabled()) deadline = std::min(deadline, nextMonitor);
    int timeout =
        int(std::max<long>(0, duration_cast<milliseconds>(deadline - steady_clock::now()).count()));
    if (const int feedTimeout = app.loader().timeoutMs(); feedTimeout >= 0)
      timeout = std::min(timeout, feedTimeout);
    if (const int buttonTimeout = button ? button->timeoutMs() : -1; buttonTimeout >= 0)
      timeout = std::min(timeout, buttonTimeout);

    const int n = poll(fds.data(), fds.size(), timeout);
    if (n < 0 && errno != EINTR) {
      log::error("poll: {}", std::strerror(errno));
      return 1;
    }
    bool render = false;
    if (n > 0 && (fds[0].revents & POLLIN)) {
      signalfd_siginfo info{};
      while (read(sfd.get(), &info, sizeof info) == sizeof info) {
        switch (info.ssi_signo) {
          case SIGTERM:
          case SIGINT:
            log::info("stopping on {}", info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
            notifier.notify("STOPPING=1");
            return 0;
          case SIGHUP: {
            notifier.notify("RELOADING=1");
            const auto oldButton = app.config().button;
            reload(app, options.configPath, mono);
            if (!(oldButton == app.config().button)) {
              button.reset();  // release the line before requesting it again
              button = open();
            }
            notifier.notify("READY=1");
            app.refreshDue();
            render = true;
            break;
          }
          case SIGUSR2:
            log::info("SIGUSR2: refreshing every source now");
            app.refreshDue(true);
            break;
          case SIGUSR1:
            app.nextLayout();
            render = true;
            break;
          default:
            break;
        }
      }
    }
    if (n > 0 && (fds[1].revents & POLLIN)) {
      std::uint64_t ticks = 0;
      // ECANCELED means the wall clock was set: re-plan below.
      (void)!read(tfd.get(), &ticks, sizeof ticks);
      app.refreshDue();
      render = render || app.redrawDue();
    }
    // The button and the loader always get a turn: debouncing, long presses and
    // transfer time-outs complete on time, not only on activity.
    if (button) {
      presses.clear();
      (void)button->process(presses);
      for (const hal::ButtonEvent e : presses) {
        if (e == hal::ButtonEvent::ShortPress) {
          app.nextLayout();
        } else if (e == hal::ButtonEvent::DoublePress) {
          (void)app.skipCountdown();
        } else {
          log::info("button: long press — refreshing every source and the whole panel");
          app.refreshDue(true);
          app.invalidateDisplay();
        }
        render = true;
      }
    }
    app.loader().process(std::span<const pollfd>(fds).subspan(3));
    if (options.once && !app.fetching()) {
      app.renderNow();
      return 0;
    }
    if (render || app.takeDirty()) {
      app.renderNow();
      const std::string status = app.statusLine();
      if (status != lastStatus) {
        notifier.notify("STATUS=" + status);
        lastStatus = status;
      }
    }
    // After the first frame with data (or the first without, should the
    // network hang): the other layouts once, off-screen.
    if (!options.once && (!app.fetching() || app.framesShown() > 1)) (void)app.prewarm();

    const auto tick = steady_clock::now();
    if (tick >= nextGovernor) {
      governor.sample();
      nextGovernor = tick + governorEvery;
    }
    if (app.monitor().enabled() && tick >= nextMonitor) {
      const double cpu = processCpuSeconds();
      log::info("{}", app.monitor().report(governor.lastRss() ? governor.lastRss() : readRssBytes(),
                                           cpu - monitorCpu,
                                           duration<double>(tick - monitorWall).count()));
      monitorCpu = cpu;
      monitorWall = tick;
      nextMonitor = tick + monitorEvery;
    }
    if (watchdog && tick >= nextWatchdog) {
      notifier.notify("WATCHDOG=1");
      nextWatchdog = tick + *watchdog / 2;
    }
    armAt(tfd.get(), app.nextWake());
  }
}

}  // namespace cb::daemon
