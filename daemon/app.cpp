// The daemon: sources → stores → agenda → layout → display, driven by one poll loop.
#include "daemon/app.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/log.hpp"
#include "daemon/pipeline.hpp"
#include "layouts/layout.hpp"
#include "render/theme.hpp"

namespace cb::daemon {

App::App(Config config, hal::Clock& clock, std::unique_ptr<hal::Display> display)
    : config_(std::move(config)),
      clock_(clock),
      display_(std::move(display)),
      zone_(ics::TimeZone::locate(config_.timezone)) {
  if (zone_ == nullptr) zone_ = &ics::TimeZone::utc();
  for (const SourceConfig& s : config_.sources) sources_.push_back(SourceState{s, {}, {}, {}, {}});
}

void App::fetch(SourceState& source) {
  const ics::Instant now = clock_.now();
  ics::IngestOptions options;
  options.displayZone = zone_;
  options.ownerEmails = config_.ownerEmails;
  options.now = now;
  options.source = std::uint16_t(&source - sources_.data());
  std::string error;
  auto store = loadCalendar(source.config.url, options, source.config.name, error);
  source.nextFetch = now + source.config.refresh;
  if (!store) {
    source.lastFailure = now;
    log::warning("{} (keeping the last good data)", error);
    return;
  }
  const ics::IngestStats& st = store->stats();
  log::info("{}: {} events kept, {} skipped, {} outside the window ({} bytes)", source.config.name,
            st.events, st.skipped, st.dropped, st.bytes);
  source.store = std::move(*store);
  source.lastSuccess = now;
  source.lastFailure.reset();
}

void App::refreshDue() {
  const ics::Instant now = clock_.now();
  for (SourceState& s : sources_)
    if (now >= s.nextFetch) fetch(s);
}

void App::nextLayout() {
  layoutIndex_ = (layoutIndex_ + 1) % config_.cycle.size();
  log::info("layout: {}", config_.cycle[layoutIndex_]);
}

void App::renderNow() {
  const ics::Instant now = clock_.now();
  std::vector<const ics::EventStore*> stores;
  layouts::LayoutContext ctx;
  ctx.now = now;
  ctx.zone = zone_;
  ctx.use24h = config_.use24h;
  ctx.state.haveData = false;
  for (const SourceState& s : sources_) {
    if (s.store) {
      stores.push_back(&*s.store);
      ctx.state.haveData = true;
    }
    if (s.lastSuccess && (!ctx.state.lastSync || *s.lastSuccess > *ctx.state.lastSync))
      ctx.state.lastSync = s.lastSuccess;
    // Stale: the last success is older than twice the refresh interval.
    if (s.lastSuccess && s.lastFailure && now - *s.lastSuccess > 2 * s.config.refresh)
      if (!ctx.state.offlineSince || *s.lastSuccess < *ctx.state.offlineSince)
        ctx.state.offlineSince = s.lastSuccess;
  }
  layouts::AgendaOptions agendaOptions;
  agendaOptions.hideFree = config_.hideFree;
  agendaOptions.maskPrivate = config_.maskPrivate;
  const layouts::Agenda agenda = layouts::buildAgenda(stores, now, agendaOptions);
  const layouts::LayoutInfo* layout = layouts::findLayout(config_.cycle[layoutIndex_]);
  const render::Theme& theme =
      render::themeFor(render::parseThemeKind(config_.theme).value_or(render::ThemeKind::Lcd));
  render::Frame frame =
      layouts::renderFrame(*layout, agenda, ctx, theme, config_.width, config_.height);
  if (lastFrame_ && lastFrame_->hash() == frame.hash()) return;  // unchanged: spare the panel
  const int rc = display_->show(toImage(frame, lastFrame_ ? &*lastFrame_ : nullptr));
  if (rc < 0) {
    log::error("display {}: {}", display_->describe(), std::strerror(-rc));
    return;
  }
  ++framesShown_;
  lastFrame_ = std::move(frame);
}

namespace {

// Arms `fd` to fire at the next wall-clock minute (re-armed after each tick).
void armNextMinute(int fd, ics::Instant now) {
  const auto next = std::chrono::floor<std::chrono::minutes>(now) + std::chrono::minutes{1};
  itimerspec spec{};
  spec.it_value.tv_sec = next.time_since_epoch().count();
  timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr);
}

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

}  // namespace

int runDaemon(App& app, bool once) {
  app.refreshDue();
  app.renderNow();
  if (once) return 0;

  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGHUP}) sigaddset(&mask, s);
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) {
    log::error("sigprocmask: {}", std::strerror(errno));
    return 1;
  }
  Fd sfd(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  Fd tfd(timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK));
  if (sfd.fd < 0 || tfd.fd < 0) {
    log::error("signalfd/timerfd: {}", std::strerror(errno));
    return 1;
  }
  hal::SystemClock wall;
  armNextMinute(tfd.fd, wall.now());
  log::info("running: {} source(s), display {} — SIGTERM to stop, SIGUSR1 next layout",
            app.config().sources.size(), app.config().display.kind);
  while (true) {
    pollfd fds[2] = {{sfd.fd, POLLIN, 0}, {tfd.fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::error("poll: {}", std::strerror(errno));
      return 1;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      while (read(sfd.fd, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) {
          log::info("stopping on signal {}", info.ssi_signo);
          return 0;
        }
        if (info.ssi_signo == SIGUSR1) {
          app.nextLayout();
          app.renderNow();
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      std::uint64_t ticks = 0;
      // ECANCELED means the wall clock was set: simply re-arm.
      (void)!read(tfd.fd, &ticks, sizeof ticks);
      app.refreshDue();
      app.renderNow();
      armNextMinute(tfd.fd, wall.now());
    }
  }
}

}  // namespace cb::daemon
