#pragma once

namespace plinth::cli {

// Set by CMake from project(VERSION ...).
inline constexpr const char* kVersion = PLINTH_VERSION;

}  // namespace plinth::cli
