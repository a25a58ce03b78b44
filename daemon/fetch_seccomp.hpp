// The fetch child's system-call allow-list (seccomp through libseccomp).
#pragma once

#include <string>

namespace cb::daemon {

// Installs the allow-list in the calling process (the fetch child, after it has
// been fenced): what libc, libcurl, its TLS library, the resolver and the
// ingest need — memory, files, sockets, poll, threads of its own, time. Any
// other call (exec, ptrace, mount, module or namespace calls, signals to other
// processes, …) kills the process with SIGSYS. Needs no_new_privs set first.
// Returns "" or why the filter could not be loaded.
[[nodiscard]] std::string installFetchSeccomp();

}  // namespace cb::daemon
