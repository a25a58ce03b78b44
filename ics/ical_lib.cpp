// ical(): dlopen("libical.so.3") and the addresses of the functions we call.
#include "ics/ical_lib.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <string>

namespace cb::ics {
namespace {

// libical 3's ABI; the header we build with names the functions and their types.
constexpr const char* kSoname = "libical.so.3";

IcalLib lib;
std::string loadError;
std::atomic<bool> loaded{false};
std::mutex firstUseMutex;
std::string firstUse;

// The process's definition first (a test may wrap a function, as test_no_icu does), then
// libical's own.
void* address(void* handle, const char* name) {
  if (void* p = dlsym(RTLD_DEFAULT, name)) return p;
  return dlsym(handle, name);
}

void open() {
  // RTLD_GLOBAL: a test that links libical itself and this handle are one library.
  void* handle = dlopen(kSoname, RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    loadError = fmt::format("calendars need libical ({}): {}", kSoname,
                            why != nullptr ? why : "cannot be loaded");
    return;
  }
  IcalLib l;
#define CB_ICAL_BIND(name)                                                                      \
  l.name = reinterpret_cast<decltype(&::name)>(address(handle, #name));                         \
  if (l.name == nullptr) {                                                                      \
    loadError = fmt::format("{} has no {}: not the libical we were built for", kSoname, #name); \
    return;                                                                                     \
  }
  CB_ICAL_FUNCTIONS(CB_ICAL_BIND)
#undef CB_ICAL_BIND
  lib = l;
  loaded = true;
}

}  // namespace

const IcalLib& ical() {
  static std::once_flag once;
  std::call_once(once, open);
  if (!loaded) throw IcalUnavailable(loadError);
  return lib;
}

const IcalLib& ical(std::string_view why) {
  {
    const std::lock_guard lock(firstUseMutex);
    if (firstUse.empty()) firstUse = why.substr(0, 200);
  }
  return ical();
}

bool icalLoaded() {
  return loaded;
}

std::string icalLoadedFor() {
  const std::lock_guard lock(firstUseMutex);
  return firstUse;
}

}  // namespace cb::ics
