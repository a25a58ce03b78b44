// The daemon's state machine: sources → stores → agenda → layout → display.
#include "daemon/app.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>

#include "daemon/eink_pacing.hpp"
#include "daemon/fnv.hpp"
#include "daemon/log.hpp"
#include "daemon/pipeline.hpp"
#include "daemon/snapshot.hpp"
#include "daemon/state_paths.hpp"
#include "ics/ical_loaded.hpp"
#include "ics/snapshot.hpp"
#include "layouts/layout.hpp"
#include "render/theme.hpp"

namespace cb::daemon {
using namespace std::chrono;

App::App(Config config, hal::Clock& clock, std::unique_ptr<hal::Display> display,
         std::unique_ptr<FeedLoader> loader)
    : config_(std::move(config)),
      clock_(clock),
      display_(std::move(display)),
      loader_(std::move(loader)),
      zone_(ics::TimeZone::locate(config_.timezone)),
      horizon_(config_.horizonDays),
      monitor_(config_.monitoring) {
  if (zone_ == nullptr) zone_ = &ics::TimeZone::utc();
  for (const SourceConfig& s : config_.sources) sources_.push_back(SourceState{.config = s});
}

App::~App() {
  loader_->cancelAll();
}

namespace {
// Events as the ingest counts them: plain events and overrides, plus recurring series.
std::size_t eventsIn(const ics::EventStore& store) {
  return store.eventCount() + store.seriesCount();
}
// What the feed held for the screens: those kept and those the screen budget left out (a
// feed of 20,000 that drops to 100 keeps 96 events either way).
std::uint64_t feedSize(const ics::EventStore& store) {
  return eventsIn(store) + store.leftOut().total();
}
}  // namespace

ics::IngestOptions App::ingestOptions(std::size_t index) const {
  ics::IngestOptions options;
  options.displayZone = zone_;
  options.ownerEmails = config_.ownerEmails;
  options.now = clock_.now();
  options.horizon = horizon_;
  options.source = std::uint16_t(index);
  return options;
}

std::string App::snapshotPath(const SourceState& s) const {
  return sourceStatePath(config_.stateDir, s.config, "snapshots", "snap").string();
}

// The identity a snapshot must match to be used: the same source, URL and display
// zone (all-day and floating times were resolved in it).
std::string App::snapshotMeta(const SourceState& s) const {
  // The URL by its hash: feed URLs carry tokens, and a snapshot is no place for them.
  return fmt::format("calendarbot-source\n{}\nurl-fnv1a:{:016x}\n{}\n", s.config.name,
                     fnv1a(s.config.url), config_.timezone);
}

void App::loadSnapshots() {
  for (SourceState& s : sources_) {
    const std::string path = snapshotPath(s);
    removeSnapshotTemps(path);
    const SnapshotRead r = readSnapshot(path);
    if (!r.snapshot) {
      if (!r.error.empty())
        log::warning("{}: snapshot {} ignored: {}", s.config.name, path, r.error);
      continue;
    }
    // Meta: identity lines, then the instant of the fetch that produced the store.
    const std::string& meta = r.snapshot->meta;
    const std::string identity = snapshotMeta(s);
    long long synced = 0;
    if (!meta.starts_with(identity) ||
        std::sscanf(meta.c_str() + identity.size(), "%lld", &synced) != 1) {
      log::info("{}: snapshot {} is for another source, URL or time zone: not used", s.config.name,
                path);
      continue;
    }
    auto store = ics::deserializeStore(r.snapshot->payload);
    if (!store) {
      log::warning("{}: snapshot {} ignored: its store image is invalid or of another version",
                   s.config.name, path);
      continue;
    }
    log::info("{}: {} events from the snapshot of {}", s.config.name, eventsIn(*store),
              ics::formatUtc(ics::Instant{seconds{synced}}));
    s.store = std::move(*store);
    s.lastSuccess = ics::Instant{seconds{synced}};
    s.snapshotSum = snapshotChecksum({}, r.snapshot->payload);
    dirty_ = true;
    agenda_.reset();
  }
}

void App::saveSnapshot(SourceState& s) {
  if (config_.stateDir.empty() || !s.store) return;
  Snapshot snap;
  snap.payload = ics::serializeStore(*s.store);
  const std::uint64_t sum = snapshotChecksum({}, snap.payload);
  if (sum == s.snapshotSum) return;  // same content: spare the SD card
  snap.meta = snapshotMeta(s) + std::to_string(s.lastSuccess->time_since_epoch().count()) + "\n";
  const std::string path = snapshotPath(s);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (const int rc = writeSnapshot(path, snap); rc < 0) {
    log::warning("{}: cannot write snapshot {}: {}", s.config.name, path, std::strerror(-rc));
    return;
  }
  s.snapshotSum = sum;
  log::debug("{}: snapshot written ({} KiB)", s.config.name, (snap.payload.size() + 1023) / 1024);
}

void App::refreshDue(bool force) {
  const ics::Instant now = clock_.now();
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    SourceState& s = sources_[i];
    if (s.inFlight || (!force && now < s.nextFetch)) continue;
    s.inFlight = true;
    log::debug("{}: fetching {}", s.config.name, log::redactUrl(s.config.url));
    // The source is found again by name: a reload may have reordered the list.
    loader_->start(s.config, ingestOptions(i),
                   [this, name = s.config.name, url = s.config.url](FetchResult out) {
                     for (std::size_t j = 0; j < sources_.size(); ++j)
                       if (sources_[j].config.name == name && sources_[j].config.url == url)
                         return onFetched(j, std::move(out));
                   });
  }
}

void App::onFetched(std::size_t index, FetchResult out) {
  SourceState& s = sources_[index];
  const ics::Instant now = clock_.now();
  s.inFlight = false;
  dirty_ = true;
  if (out.kind == FetchResult::Kind::Updated) agenda_.reset();
  monitor_.recordFetch(out.duration, out.bytes);
  switch (out.kind) {
    case FetchResult::Kind::Updated: {
      const ics::IngestStats& st = out.store->stats();
      log::info("{}: updated, {} events kept, {} skipped, {} outside the window ({} KiB, {} ms)",
                s.config.name, st.events, st.skipped, st.dropped, st.bytes / 1024,
                out.duration.count());
      if (suspectDrop(s, *out.store, now)) {
        s.failures = 0;
        s.nextFetch = now + std::min<seconds>(s.config.refresh, config_.fetch.confirmDrop);
        break;
      }
      s.store = std::move(out.store);
      s.lastSuccess = now;
      saveSnapshot(s);
      trimDue_ = true;
      [[fallthrough]];
    }
    case FetchResult::Kind::NotModified:
      if (out.kind == FetchResult::Kind::NotModified)
        log::debug("{}: not modified ({} ms)", s.config.name, out.duration.count());
      if (s.failures > 0)
        log::info("{}: back online after {} failed fetches", s.config.name, s.failures);
      s.lastSuccess = now;
      s.lastFailure.reset();
      s.lastError.clear();
      s.failures = 0;
      s.nextFetch = now + s.config.refresh;
      break;
    case FetchResult::Kind::Failed: {
      ++s.failures;
      s.lastFailure = now;
      s.lastError = out.error;
      // 30 s, 1, 2, 4 … minutes, never later than the source's own interval,
      // jittered so sources that failed together spread out.
      const auto random =
          std::uint32_t((std::uint64_t(now.time_since_epoch().count()) + index) * 2654435761u);
      seconds delay = retryDelay(s.failures, seconds{30}, s.config.refresh, random);
      if (out.retryAfter) delay = std::max(delay, *out.retryAfter);  // the server asked (429/503)
      s.nextFetch = now + delay;
      log::warning("{} — keeping the last good data{}; retry in {} s", out.error,
                   s.lastSuccess ? fmt::format(" from {}", ics::formatUtc(*s.lastSuccess)) : "",
                   delay.count());
      break;
    }
  }
}

bool App::suspectDrop(SourceState& s, const ics::EventStore& fresh, ics::Instant now) {
  const std::uint64_t had = s.store ? feedSize(*s.store) : 0;
  const std::uint64_t has = feedSize(fresh);
  const bool drop = had > 0 && (has == 0 || (had >= 10 && has * 2 < had));
  if (!drop || config_.fetch.confirmDrop <= seconds{0}) {
    s.suspectSince.reset();
    return false;
  }
  if (!s.suspectSince) {
    s.suspectSince = now;
    log::warning(
        "{}: the feed now holds {} events, it held {}: held as suspect, the last good "
        "data stays until a fetch {} min from now confirms it",
        s.config.name, has, had, config_.fetch.confirmDrop.count() / 60);
    return true;
  }
  if (now - *s.suspectSince < config_.fetch.confirmDrop) {
    log::info("{}: still {} events (held {}): suspect since {}", s.config.name, has, had,
              ics::formatUtc(*s.suspectSince));
    return true;
  }
  log::warning("{}: {} events instead of {} since {}: confirmed, accepted", s.config.name, has, had,
               ics::formatUtc(*s.suspectSince));
  s.suspectSince.reset();
  return false;
}

bool App::fetching() const {
  return std::any_of(sources_.begin(), sources_.end(),
                     [](const SourceState& s) { return s.inFlight; });
}

void App::nextLayout() {
  layoutIndex_ = (layoutIndex_ + 1) % config_.cycle.size();
  log::info("layout: {}", config_.cycle[layoutIndex_]);
}

bool App::skipCountdown() {
  layoutIndex_ = (layoutIndex_ + config_.cycle.size() - 1) % config_.cycle.size();
  const ics::Instant now = clock_.now();
  std::erase_if(skipped_, [&](const auto& s) { return s.second <= now; });
  std::vector<layouts::SkipKey> keys;
  for (const auto& s : skipped_) keys.push_back(s.first);
  const layouts::Focus f = layouts::focusAt(currentAgenda(), now, *zone_, keys);
  if (!f.served) {
    log::info("button: double press — nothing to skip");
    return false;
  }
  log::info("button: double press — skipping \"{}\" until it ends", f.served->summary);
  skipped_.emplace_back(layouts::skipKeyOf(*f.served), f.served->end);
  return true;
}

std::optional<ics::Instant> App::offlineSince(ics::Instant now) const {
  std::optional<ics::Instant> since;
  for (const SourceState& s : sources_)
    if (s.store && s.lastSuccess && s.failures > 0 && now - *s.lastSuccess > 2 * s.config.refresh)
      if (!since || *s.lastSuccess < *since) since = s.lastSuccess;
  return since;
}

render::Frame App::draw(std::size_t layoutIndex) const {
  const ics::Instant now = clock_.now();
  layouts::LayoutContext ctx;
  ctx.now = now;
  ctx.zone = zone_;
  ctx.use24h = config_.use24h;
  ctx.dpi = config_.dpi;
  ctx.state.haveData = false;
  for (const SourceState& s : sources_) {
    if (s.store) ctx.state.haveData = true;
    if (s.lastSuccess && (!ctx.state.lastSync || *s.lastSuccess > *ctx.state.lastSync))
      ctx.state.lastSync = s.lastSuccess;
  }
  ctx.state.offlineSince = offlineSince(now);
  for (const auto& [key, end] : skipped_)
    if (end > now) ctx.skipped.push_back(key);
  const layouts::Agenda& agenda = currentAgenda();
  const layouts::LayoutInfo* layout = layouts::findLayout(config_.cycle[layoutIndex]);
  const render::Theme& theme =
      render::themeFor(render::parseThemeKind(config_.theme).value_or(render::ThemeKind::Lcd));
  return layouts::renderFrame(*layout, agenda, ctx, theme, config_.width, config_.height);
}

bool App::renderNow() {
  const auto t0 = steady_clock::now();
  render::Frame frame = draw(layoutIndex_);
  const auto t1 = steady_clock::now();
  if (!icalNoted_ && ics::icalLoaded()) {
    // Our reader and iterators left something to libical (ics/ical_lib.hpp): it stays mapped.
    icalNoted_ = true;
    log::info("libical loaded for {}, which only it reads: about 2 MB more resident",
              ics::icalLoadedFor());
  }
  monitor_.recordRender(duration_cast<microseconds>(t1 - t0));
  const bool shown = show(std::move(frame));
  if (shown)
    log::debug("frame {}: drawn in {:.1f} ms, shown in {:.1f} ms{}", config_.cycle[layoutIndex_],
               duration<double, std::milli>(t1 - t0).count(),
               duration<double, std::milli>(steady_clock::now() - t1).count(),
               repainted_ ? " (the whole panel)" : "");
  if (trimDue_) {
    // Ingest, snapshot and first-frame buffers are freed by now: give their
    // pages back rather than keep the high-water mark resident for months.
    trimDue_ = false;
    malloc_trim(0);
    ++heapTrims_;
  }
  return shown;
}

std::size_t App::prewarm() {
  if (!prewarmDue_) return 0;
  prewarmDue_ = false;
  // A layout's first frame costs 10–30 ms more than later ones (fonts opened,
  // sizes and glyphs cached): pay it now, not when the button is pressed.
  const auto t0 = steady_clock::now();
  std::size_t drawn = 0;
  for (std::size_t i = 0; i < config_.cycle.size(); ++i) {
    if (i == layoutIndex_ || config_.cycle[i] == config_.cycle[layoutIndex_]) continue;
    (void)draw(i);
    ++drawn;
  }
  if (drawn > 0) {
    malloc_trim(0);  // the off-screen frames are gone again
    log::debug("{} other layout(s) drawn off-screen in {:.1f} ms", drawn,
               duration<double, std::milli>(steady_clock::now() - t0).count());
  }
  return drawn;
}

bool App::show(render::Frame frame) {
  const std::uint64_t hash = frame.hash();
  // An unchanged frame is offered too, marked so: the display decides whether its panel needs
  // it again (the framebuffer is rewritten whole now and then, so that whatever drew over it, a
  // getty on its console, does not stay).
  const bool unchanged = !lastDigest_.empty() && lastHash_ == hash;
  // Only tile hashes of the shown frame are kept, not its 1.5 MB of pixels.
  FrameDigest digest = unchanged ? FrameDigest{} : FrameDigest(frame);
  hal::Image image = toImage(frame, unchanged ? render::Rect{} : lastDigest_.damage(digest), hash);
  image.unchanged = unchanged;
  const int rc = display_->show(image);
  if (rc < 0) {
    log::error("display {}: {}", display_->describe(), std::strerror(-rc));
    return false;
  }
  repainted_ = display_->rewroteWhole();
  if (unchanged && !repainted_) {  // the panel has it: spared
    lastDrawnAt_ = clock_.now();
    return false;
  }
  // E-ink pacing held the frame back: offer it again (unchanged or not) next minute.
  if (display_->pending()) return false;
  ++framesShown_;
  lastDrawnAt_ = clock_.now();
  if (!unchanged) {
    lastDigest_ = std::move(digest);
    lastHash_ = hash;
  }
  return true;
}

bool App::redrawDue() const {
  if (config_.display.kind != "eink" || lastDigest_.empty() || display_->pending()) return true;
  return einkRedrawDue(currentAgenda(), *zone_, {}, lastDrawnAt_, clock_.now());
}

ics::Instant App::nextWake() const {
  const ics::Instant now = clock_.now();
  ics::Instant wake = floor<minutes>(now) + minutes{1};
  for (const SourceState& s : sources_)
    if (!s.inFlight) wake = std::min(wake, std::max(now, s.nextFetch));
  return wake;
}

const layouts::Agenda& App::currentAgenda() const {
  // Expanding recurring series is the expensive part of a frame: the agenda is
  // built for a day more than the layouts need and reused, every minute, until
  // the data changes or that day has passed.
  const ics::Instant now = clock_.now();
  if (agenda_ && now >= agendaFrom_ && now < agendaFrom_ + days{1}) return *agenda_;
  std::vector<const ics::EventStore*> stores;
  for (const SourceState& s : sources_)
    if (s.store) stores.push_back(&*s.store);
  layouts::AgendaOptions options;
  options.hideFree = config_.hideFree;
  options.maskPrivate = config_.maskPrivate;
  options.lookahead = days{8};
  options.warn = [](std::string_view w) { log::warning("{}", w); };
  agenda_ = layouts::buildAgenda(stores, now, options);
  agendaFrom_ = now;
  return *agenda_;
}

std::string App::statusLine() const {
  std::size_t events = 0;
  std::optional<ics::Instant> synced;
  int offline = 0;
  for (const SourceState& s : sources_) {
    if (s.store) events += eventsIn(*s.store);
    if (s.lastSuccess && (!synced || *s.lastSuccess > *synced)) synced = s.lastSuccess;
    if (s.failures > 0) ++offline;
  }
  std::string line = fmt::format("{} source{}, {} events", sources_.size(),
                                 sources_.size() == 1 ? "" : "s", events);
  const ics::Instant now = clock_.now();
  for (const layouts::AgendaItem& item : currentAgenda().items) {
    if (item.allDay || item.start <= now) continue;
    const auto local = zone_->toLocal(item.start);
    const hh_mm_ss hms{local - floor<days>(local)};
    line += fmt::format(", next: {:02}:{:02} {}", hms.hours().count(), hms.minutes().count(),
                        item.summary.substr(0, 40));
    break;
  }
  if (synced) {
    const auto local = zone_->toLocal(*synced);
    const hh_mm_ss hms{local - floor<days>(local)};
    line += fmt::format(", synced {:02}:{:02}", hms.hours().count(), hms.minutes().count());
  }
  if (offline > 0) line += fmt::format(", {} offline", offline);
  return line;
}

void App::applyConfig(Config config, std::unique_ptr<hal::Display> display) {
  std::vector<SourceState> next;
  for (const SourceConfig& sc : config.sources) {
    SourceState state{.config = sc};
    for (SourceState& old : sources_) {
      if (old.config.name == sc.name && old.config.url == sc.url) {
        state = std::move(old);
        state.config = sc;
        state.inFlight = false;
        break;
      }
    }
    next.push_back(std::move(state));
  }
  loader_->cancelAll();
  sources_ = std::move(next);
  agenda_.reset();
  if (display) {
    display_ = std::move(display);
    lastDigest_ = {};
  }
  trimDue_ = true;
  prewarmDue_ = true;  // another cycle, size or theme
  const ics::TimeZone* zone = ics::TimeZone::locate(config.timezone);
  zone_ = zone ? zone : &ics::TimeZone::utc();
  horizon_ = std::chrono::days{config.horizonDays};
  config_ = std::move(config);
  layoutIndex_ = std::min(layoutIndex_, config_.cycle.size() - 1);
}

void App::dropRenderCaches() {
  lastDigest_ = {};
}

void App::shrinkHorizon() {
  if (horizon_ > days{7}) {
    horizon_ = std::max(days{7}, horizon_ / 2);
    log::warning("governor: expansion horizon shrunk to {} days", horizon_.count());
  }
}

void App::invalidateDisplay() {
  display_->invalidate();
  lastDigest_ = {};
}

}  // namespace cb::daemon
