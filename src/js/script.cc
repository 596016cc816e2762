#include "js/script.h"

namespace plinth::js {

std::uint64_t HashSource(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Script::Script(std::string name, std::string source)
    : name_(std::move(name)), source_(std::move(source)), hash_(HashSource(source_)) {}

std::shared_ptr<const Script> Script::Make(std::string name, std::string source) {
  return std::make_shared<const Script>(std::move(name), std::move(source));
}

}  // namespace plinth::js
