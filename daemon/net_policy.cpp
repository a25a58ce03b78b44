// The address rules of net_policy.hpp.
#include "daemon/net_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>
#include <cstring>
#include <string>

namespace cb::daemon {
namespace {

bool localV4(std::uint32_t hostOrder) {
  return (hostOrder >> 24) == 127 || (hostOrder >> 16) == 0xA9FE || hostOrder == 0;
}

bool localV6(const in6_addr& a) {
  if (IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_UNSPECIFIED(&a))
    return true;
  if (IN6_IS_ADDR_V4MAPPED(&a)) {
    std::uint32_t v4 = 0;
    std::memcpy(&v4, a.s6_addr + 12, 4);
    return localV4(ntohl(v4));
  }
  return false;
}

}  // namespace

bool isLocalAddress(const sockaddr* address, socklen_t length) {
  if (address->sa_family == AF_INET && length >= socklen_t(sizeof(sockaddr_in)))
    return localV4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  if (address->sa_family == AF_INET6 && length >= socklen_t(sizeof(sockaddr_in6)))
    return localV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  return false;
}

bool isLocalUrl(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos)
    rest.remove_prefix(at + 1);
  std::string host;
  if (!rest.empty() && rest.front() == '[') {
    host = std::string(rest.substr(1, rest.find(']') - 1));
  } else {
    host = std::string(rest.substr(0, rest.find(':')));
  }
  for (char& c : host) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return localV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return localV6(v6);
  return false;
}

}  // namespace cb::daemon
