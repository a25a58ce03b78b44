// Private: what the event parser hands the finish-time merge, and how ingest reports.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "ics/store_data.hpp"

namespace cb::ics {

// Counts what was skipped and says why, once, where it happens.
class Reporter {
 public:
  Reporter(WarningSink sink, IngestStats& stats) : sink_(std::move(sink)), stats_(stats) {}

  void warning(std::string_view msg) const {
    if (sink_) sink_(msg);
  }
  void skip(std::string_view why) {
    ++stats_.skipped;
    warning(why);
  }
  [[nodiscard]] IngestStats& stats() { return stats_; }

 private:
  WarningSink sink_;
  IngestStats& stats_;
};

// Identity and revision of a record, for the merge.
struct Meta {
  std::uint64_t uidHash = 0;
  bool hasUid = false;
  std::int64_t sequence = 0;
  bool hasSequence = false;
  std::uint32_t order = 0;
};

// A RECURRENCE-ID component, matched to its series at finish().
struct Override {
  Occurrence occ;
  Meta meta;
  Instant rid{};  // instant (DATE-TIME) or midnight UTC of the date (DATE)
  bool ridIsDate = false;
  Date ridLocalDate{};  // the RECURRENCE-ID's date in its own zone
  bool thisAndFuture = false;
  LocalSeconds localStart{};
  const TimeZone* zone = nullptr;
  Span length;
};

// The parser's output besides EventStore::Data's singles and series.
struct Records {
  std::vector<Meta> singleMeta;  // parallel to Data::singles
  std::vector<Meta> seriesMeta;  // parallel to Data::series
  std::vector<Override> overrides;

  [[nodiscard]] std::size_t count() const {
    return singleMeta.size() + seriesMeta.size() + overrides.size();
  }
};

}  // namespace cb::ics
