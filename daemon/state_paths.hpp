// Where a source's files live in the state dir: one name per source and URL.
#pragma once

#include <filesystem>
#include <string_view>

#include "daemon/config.hpp"

namespace cb::daemon {

// stateDir/subdir/NAME-HASH.ext: NAME is the source's name made file-safe, HASH
// covers name and URL, so another URL's state (ETag, snapshot) is never used.
[[nodiscard]] std::filesystem::path sourceStatePath(const std::filesystem::path& stateDir,
                                                    const SourceConfig& source,
                                                    std::string_view subdir, std::string_view ext);

}  // namespace cb::daemon
