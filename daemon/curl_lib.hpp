// CurlLib: libcurl loaded with dlopen on the first network fetch, not at process start.
#pragma once

#include <curl/curl.h>

#include <string>

namespace cb::daemon {

// The libcurl functions the fetcher calls. libcurl drags in ~25 libraries
// (OpenSSL, GnuTLS via librtmp, Kerberos, LDAP, SSH …) whose loading and
// relocation alone keep ~5 MB resident; a daemon on local files never needs
// them, so the library is opened only when a network source is fetched.
struct CurlLib {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_header) easy_header = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_getdate) getdate = nullptr;
  decltype(&::curl_multi_init) multi_init = nullptr;
  decltype(&::curl_multi_cleanup) multi_cleanup = nullptr;
  decltype(&::curl_multi_add_handle) multi_add_handle = nullptr;
  decltype(&::curl_multi_remove_handle) multi_remove_handle = nullptr;
  decltype(&::curl_multi_setopt) multi_setopt = nullptr;
  decltype(&::curl_multi_socket_action) multi_socket_action = nullptr;
  decltype(&::curl_multi_info_read) multi_info_read = nullptr;
  decltype(&::curl_multi_strerror) multi_strerror = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
};

// Opens libcurl and runs curl_global_init once per process; nullptr (with a
// one-line `error`) when the library or one of its functions is missing.
// Thread-safe; the library stays loaded (OpenSSL cannot be unloaded).
[[nodiscard]] const CurlLib* loadCurl(std::string& error);

// True once loadCurl() succeeded in this process.
[[nodiscard]] bool curlLoaded();

// The loaded library; only valid after loadCurl() succeeded.
[[nodiscard]] const CurlLib& curl();

}  // namespace cb::daemon
