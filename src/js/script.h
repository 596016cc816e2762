#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace plinth::js {

// Script is one App Services function source: text that assigns the entry
// point with `exports = function (...) {...}`, `exports = async function`, or
// `module.exports = ...`. It is identified by (name, source hash); an engine
// compiles it at most once per JS thread and caches the result under that
// identity, so a new config version with the same name and new text simply
// compiles anew (Engine::InvalidateScripts drops the old entries).
//
// Immutable after construction; share it as std::shared_ptr<const Script>
// between threads freely.
class Script {
 public:
  // `name` is the App Services function name ("utils/add"); it becomes the
  // file name in stack traces and error messages.
  static std::shared_ptr<const Script> Make(std::string name, std::string source);

  const std::string& name() const { return name_; }
  const std::string& source() const { return source_; }
  // 64-bit FNV-1a of the source. The cache also compares the text on a hit,
  // so a hash collision costs a recompile, never the wrong code.
  std::uint64_t source_hash() const { return hash_; }

  Script(std::string name, std::string source);

 private:
  std::string name_;
  std::string source_;
  std::uint64_t hash_;
};

// FNV-1a, 64 bits. Thread-safe.
std::uint64_t HashSource(std::string_view text);

}  // namespace plinth::js
