#pragma once

#include <filesystem>
#include <string_view>

#include "base/status.h"

namespace plinth::base {

// Replaces the file at `path` with `text`, readable by its owner only
// (mode 0600), atomically: a temporary file beside it is written, fsynced
// and renamed over it, then the directory is fsynced so the rename lasts.
// A symlink at the temporary path is refused (O_NOFOLLOW). The parent
// directory must exist. kIoError names the step and the path that failed.
// For files holding secrets: secrets.json, signing keys.
Status WriteOwnerOnlyFile(const std::filesystem::path& path, std::string_view text);

}  // namespace plinth::base
