// Which addresses a feed may reach: loopback and link-local only for a feed configured there.
#pragma once

#include <sys/socket.h>

#include <string_view>

namespace cb::daemon {

// Loopback (127/8, ::1), link-local (169.254/16, fe80::/10, where cloud metadata services
// live), the unspecified address, and IPv4 ones mapped into IPv6.
[[nodiscard]] bool isLocalAddress(const sockaddr* address, socklen_t length);

// Whether the url's host is itself local: "localhost" or a literal local address. Only such a
// feed may connect (or be redirected) to a local address; any other is refused there, so a
// feed server cannot point the device at its own services.
[[nodiscard]] bool isLocalUrl(std::string_view url);

}  // namespace cb::daemon
