#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace plinth::matcher {

// A regular expression compiled once with PCRE2 (UTF-8 mode), for $regex and
// BSON regex values in filters. Immutable after Compile; Matches may run on
// many threads at once (each call makes its own match data; the compiled code
// and the match context are only read).
//
// Options are MongoDB's letters: i (case-insensitive), m (multi-line anchors),
// s (dot matches newline), x (extended: whitespace and # comments ignored),
// u (accepted, no effect: UTF-8 mode is always on). Any other letter is
// kBadValue "invalid flag in regex options: <c>". An invalid pattern, or one
// with a NUL byte, is kBadValue (with PCRE2's message and offset).
//
// Limits (so a pathological pattern fails fast instead of hanging a thread):
// at most kMatchLimit backtracking steps, kDepthLimit nested backtracking
// frames and kHeapLimitKiB KiB of heap per match. Hitting a limit, like any
// other matching error (invalid UTF-8 in the subject), counts as "no match".
// Measured here: ^(a+)+$ against 40 a's and a "!" stops at the match limit
// after about 4 ms (optimized build), instead of running for ages.
class Regex {
 public:
  static constexpr std::uint32_t kMatchLimit = 100000;
  static constexpr std::uint32_t kDepthLimit = 10000;
  static constexpr std::uint32_t kHeapLimitKiB = 16 * 1024;

  static base::Result<std::shared_ptr<const Regex>> Compile(std::string_view pattern,
                                                            std::string_view options);
  // The options letters that are valid, checked without compiling.
  static base::Status CheckOptions(std::string_view options);

  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Whether the pattern matches somewhere in `subject`.
  bool Matches(std::string_view subject) const;

  const std::string& pattern() const { return pattern_; }
  const std::string& options() const { return options_; }

 private:
  Regex() = default;
  std::string pattern_;
  std::string options_;
  void* code_ = nullptr;           // pcre2_code_8*, owned
  void* match_context_ = nullptr;  // pcre2_match_context_8*, owned
};

}  // namespace plinth::matcher
