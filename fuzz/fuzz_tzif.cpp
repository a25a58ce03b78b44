// Fuzz target: the TZif reader on arbitrary bytes; what it accepts is sorted.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ics/tzif.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto changes = cb::ics::readTzif(bytes, 2040);
  if (changes)
    for (std::size_t i = 1; i < changes->size(); ++i)
      if ((*changes)[i].utc < (*changes)[i - 1].utc) __builtin_trap();
  return 0;
}
