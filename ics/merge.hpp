// The finish-time merge of an ingest: revisions (SEQUENCE), overrides matched to their
// series, RANGE=THISANDFUTURE splits.
#pragma once

#include "ics/ingest_records.hpp"

namespace cb::ics {

// Keeps the current revision of each UID, turns overrides into records (excluding the
// instances they replace) and splits series at RANGE=THISANDFUTURE overrides.
// Matching overrides spends from the feed's expansion budget; a series whose matching goes
// over it is dropped with a warning through `report`.
void mergeRecords(EventStore::Data& data, Records& records, const IngestOptions& options,
                  const Reporter& report);

}  // namespace cb::ics
