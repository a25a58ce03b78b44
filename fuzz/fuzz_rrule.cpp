// Fuzz target: our RRULE reader against libical on arbitrary bytes. Whenever parseRrule() is
// certain (kValid or kInvalid), libical must agree, and on kValid every field of its
// icalrecurrencetype must equal ours; any difference aborts. kUnsure is never checked (nor
// given to libical, which writes past a full BY array on some of those).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ics/rrule_check.hpp"
#include "tests/ics/rrule_reference.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string rule(reinterpret_cast<const char*>(data), size);
  cb::ics::ParsedRrule parsed;
  const cb::ics::RruleVerdict verdict = cb::ics::parseRrule(rule, parsed);
  if (verdict != cb::ics::quickRruleVerdict(rule)) {
    std::fprintf(stderr, "parseRrule and quickRruleVerdict disagree\n");
    __builtin_trap();
  }
  if (verdict == cb::ics::RruleVerdict::kInvalid && cb::test::libicalAccepts(rule)) {
    std::fprintf(stderr, "kInvalid, but libical accepts it\n");
    __builtin_trap();
  }
  if (verdict == cb::ics::RruleVerdict::kValid) {
    const std::string difference = cb::test::differenceFromLibical(rule, parsed);
    if (!difference.empty()) {
      std::fprintf(stderr, "kValid, but %s\n", difference.c_str());
      __builtin_trap();
    }
  }
  return 0;
}
