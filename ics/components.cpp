// The component stack of an ingest: BEGIN/END nesting, VTIMEZONE text, X-WR-TIMEZONE.
#include "ics/components.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ics/syntax.hpp"

namespace cb::ics {
namespace {

// BEGIN:NAME or END:NAME (`at` is the length of BEGIN or END): the name, without
// splitting the line when it has no parameters.
std::string_view componentName(std::string_view l, std::size_t at) {
  if (l.size() > at && l[at] == ':') return l.substr(at + 1);
  return splitLine(l).value;
}

bool isProp(std::string_view line, std::string_view name) {
  return nameIs(line, name) == Match::Yes;
}

}  // namespace

ComponentStack::Change ComponentStack::begin(std::string_view line) {
  change_ = Change::None;
  open(componentName(line, 5));
  track();
  return change_;
}

ComponentStack::Change ComponentStack::end(std::string_view line) {
  change_ = Change::None;
  const std::string_view name = componentName(line, 3);
  if (stack_.empty()) return change_;
  const Kind want = iequals(name, "vevent")      ? Kind::Event
                    : iequals(name, "vtimezone") ? Kind::Timezone
                    : iequals(name, "vcalendar") ? Kind::Calendar
                                                 : Kind::Other;
  if (stack_.back() != want) {
    if (want == Kind::Other || std::find(stack_.begin(), stack_.end(), want) == stack_.end()) {
      if (stack_.back() == Kind::Other) close(Kind::Other, name);  // END:VALARM and the like
      track();
      return change_;  // or a stray END
    }
    // END of an outer component: whatever is still open inside it ends here.
    while (stack_.back() != want) {
      if (stack_.back() == Kind::Event && eventOpen_) {
        eventOpen_ = false;
        report_.skip("VEVENT without END:VEVENT skipped");
      }
      if (stack_.back() == Kind::Timezone) tzActive_ = false;
      stack_.pop_back();
    }
  }
  close(want, name);
  track();
  return change_;
}

bool ComponentStack::finish() {
  if (!eventOpen_) return false;
  eventOpen_ = false;
  track();
  report_.skip("VEVENT cut off by the end of the stream skipped");
  return true;
}

void ComponentStack::open(std::string_view name) {
  if (stack_.size() >= 32) {  // nesting bomb: ignore what is inside
    stack_.push_back(Kind::Other);
    return;
  }
  if (iequals(name, "vcalendar")) {
    if (stack_.empty()) {
      report_.stats().sawCalendar = true;
      xwr_ = nullptr;
      stack_.push_back(Kind::Calendar);
    } else {
      stack_.push_back(Kind::Other);
    }
    return;
  }
  const bool underCalendar = !stack_.empty() && stack_.back() == Kind::Calendar;
  if (iequals(name, "vevent") && underCalendar) {
    stack_.push_back(Kind::Event);
    eventOpen_ = true;
    change_ = Change::EventOpened;
    return;
  }
  if (iequals(name, "vtimezone") && underCalendar) {
    stack_.push_back(Kind::Timezone);
    tzActive_ = true;
    tzText_.assign("BEGIN:VTIMEZONE\n");
    tzid_.clear();
    return;
  }
  if (tzActive_) appendTz(fmt::format("BEGIN:{}", name));
  stack_.push_back(Kind::Other);  // VALARM, VTODO, VJOURNAL, VFREEBUSY, STANDARD, ...
}

void ComponentStack::close(Kind kind, std::string_view name) {
  stack_.pop_back();
  switch (kind) {
    case Kind::Event:
      if (eventOpen_) change_ = Change::EventClosed;
      eventOpen_ = false;
      return;
    case Kind::Timezone:
      tzText_ += "END:VTIMEZONE\n";
      if (tzActive_ && !tzid_.empty() && tzText_.size() <= limits_.maxComponentBytes)
        zones_.define(tzid_, std::move(tzText_));
      tzActive_ = false;
      tzText_ = std::string();
      return;
    case Kind::Calendar:
      return;
    case Kind::Other:
      if (tzActive_) appendTz(fmt::format("END:{}", name));
      return;
  }
}

LineVerdict ComponentStack::keepOther(std::string_view first) const {
  if (stack_.empty()) return LineVerdict::Skip;
  switch (stack_.back()) {
    case Kind::Event:
      return LineVerdict::Skip;
    case Kind::Timezone:
    case Kind::Other:
      return tzActive_ ? LineVerdict::Keep : LineVerdict::Skip;
    case Kind::Calendar:
      return (first[0] | 0x20) == 'x' && nameIs(first, "x-wr-timezone") != Match::No
                 ? LineVerdict::Keep
                 : LineVerdict::Skip;
  }
  return LineVerdict::Skip;
}

void ComponentStack::otherLine(std::string_view l) {
  if (stack_.empty()) return;
  switch (stack_.back()) {
    case Kind::Event:
      return;
    case Kind::Timezone:
      if (tzActive_) {
        if (isProp(l, "tzid") && stack_.size() >= 2 && stack_[stack_.size() - 2] == Kind::Calendar)
          tzid_ = std::string(splitLine(l).value);
        appendTz(l);
      }
      return;
    case Kind::Calendar:
      if (isProp(l, "x-wr-timezone")) {
        const std::string_view name = splitLine(l).value;
        xwr_ = zones_.resolve(name);
        if (xwr_ == nullptr)
          report_.warning(fmt::format("unknown X-WR-TIMEZONE \"{}\" ignored", name));
      }
      return;
    case Kind::Other:
      if (tzActive_) appendTz(l);
      return;
  }
}

void ComponentStack::appendTz(std::string_view l) {
  if (tzText_.size() + l.size() + 1 > limits_.maxComponentBytes) {
    tzActive_ = false;  // too big: dropped at END:VTIMEZONE
    report_.warning(
        fmt::format("VTIMEZONE larger than {} bytes ignored", limits_.maxComponentBytes));
    return;
  }
  tzText_.append(l);
  tzText_ += '\n';
}

}  // namespace cb::ics
