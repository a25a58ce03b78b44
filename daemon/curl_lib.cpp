// CurlLib: dlopen("libcurl.so.4") and dlsym of the functions the fetcher calls.
#include "daemon/curl_lib.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <atomic>
#include <mutex>

namespace cb::daemon {
namespace {

// libcurl's ABI has been libcurl.so.4 since 2006; the headers we build with
// name the functions and their types.
constexpr const char* kSoname = "libcurl.so.4";

CurlLib lib;
std::string loadError;
std::atomic<bool> loaded{false};

template <class F>
bool bind(void* handle, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(handle, name));
  if (fn == nullptr) loadError = fmt::format("{} has no {}: too old a libcurl", kSoname, name);
  return fn != nullptr;
}

void open() {
  void* handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    loadError = fmt::format("network sources need libcurl ({}): {}", kSoname,
                            why ? why : "cannot be loaded");
    return;
  }
  CurlLib l;
  const bool ok = bind(handle, l.global_init, "curl_global_init") &&
                  bind(handle, l.easy_init, "curl_easy_init") &&
                  bind(handle, l.easy_cleanup, "curl_easy_cleanup") &&
                  bind(handle, l.easy_setopt, "curl_easy_setopt") &&
                  bind(handle, l.easy_getinfo, "curl_easy_getinfo") &&
                  bind(handle, l.easy_header, "curl_easy_header") &&
                  bind(handle, l.easy_strerror, "curl_easy_strerror") &&
                  bind(handle, l.getdate, "curl_getdate") &&
                  bind(handle, l.multi_init, "curl_multi_init") &&
                  bind(handle, l.multi_cleanup, "curl_multi_cleanup") &&
                  bind(handle, l.multi_add_handle, "curl_multi_add_handle") &&
                  bind(handle, l.multi_remove_handle, "curl_multi_remove_handle") &&
                  bind(handle, l.multi_setopt, "curl_multi_setopt") &&
                  bind(handle, l.multi_socket_action, "curl_multi_socket_action") &&
                  bind(handle, l.multi_info_read, "curl_multi_info_read") &&
                  bind(handle, l.multi_strerror, "curl_multi_strerror") &&
                  bind(handle, l.slist_append, "curl_slist_append") &&
                  bind(handle, l.slist_free_all, "curl_slist_free_all");
  if (!ok) return;  // the handle stays open: harmless, and dlclose could unload under a caller
  if (const CURLcode rc = l.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    loadError = fmt::format("libcurl could not initialise: {}", l.easy_strerror(rc));
    return;
  }
  lib = l;
  loaded = true;
}

}  // namespace

const CurlLib* loadCurl(std::string& error) {
  static std::once_flag once;
  std::call_once(once, open);
  if (!loaded) {
    error = loadError;
    return nullptr;
  }
  return &lib;
}

bool curlLoaded() {
  return loaded;
}

const CurlLib& curl() {
  return lib;
}

}  // namespace cb::daemon
