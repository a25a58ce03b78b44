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

// True when this process's system calls are translated by qemu-user (how .ci/cross runs the
// arm64 and armhf builds), which implements no seccomp -- seccomp(2) fails with ENOSYS and
// PR_GET_SECCOMP with EINVAL while the kernel under it, whose /proc it shows, has seccomp
// ("Seccomp:" in /proc/self/status) -- and accepts RLIMIT_AS/RLIMIT_DATA without applying
// them (they would limit qemu itself). A real kernel never contradicts itself so: one without
// seccomp reports neither, and the filter stays required there (each refresh then fails,
// naming it). Probed once; false when /proc cannot be read.
[[nodiscard]] bool underQemuUser();

}  // namespace cb::daemon
