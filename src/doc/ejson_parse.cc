// Extended JSON parsing, on libbson's JSON reader.
#include <bson/bson.h>

#include <cstring>

#include "doc/bson_codec.h"
#include "doc/ejson.h"

namespace plinth::doc {
namespace {

using base::ErrorCode;
using base::Status;

// libbson reads only documents, so other top-level values are parsed as the
// value of this wrapper's single field.
constexpr std::string_view kWrapPrefix = "{\"v\":";

// Checks nesting depth and bracket balance before libbson sees the text, so
// deep input fails with our limit's message rather than the reader's, and
// text that would close the wrapper early is rejected.
Status ScanStructure(std::string_view text, const Limits& limits) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limits.max_depth) {
        return Status(
            ErrorCode::kDepthLimitExceeded,
            "JSON nesting exceeds the limit of " + std::to_string(limits.max_depth) + " levels");
      }
    } else if (c == '}' || c == ']') {
      if (depth == 0) {
        return base::BadValue("invalid JSON: unexpected '" + std::string(1, c) + "' at offset " +
                              std::to_string(i));
      }
      --depth;
    }
  }
  if (in_string) return base::BadValue("invalid JSON: unterminated string");
  if (depth != 0) return base::BadValue("invalid JSON: unexpected end of input");
  return Status::Ok();
}

// libbson reports offsets into the wrapped text; report them into the input.
std::string FixPositions(std::string message) {
  constexpr std::string_view kKey = "position ";
  std::size_t at = message.find(kKey);
  if (at == std::string::npos) return message;
  std::size_t start = at + kKey.size();
  std::size_t end = start;
  while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
  if (end == start) return message;
  long pos = std::stol(message.substr(start, end - start)) - static_cast<long>(kWrapPrefix.size());
  if (pos < 0) pos = 0;
  return message.substr(0, start) + std::to_string(pos) + message.substr(end);
}

}  // namespace

base::Result<Value> ParseJson(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bson_bytes * 2 + 1024) {
    return Status(ErrorCode::kSizeLimitExceeded, "JSON text exceeds the size limit");
  }
  PLINTH_RETURN_IF_ERROR(ScanStructure(text, limits));
  std::string wrapped;
  wrapped.reserve(text.size() + kWrapPrefix.size() + 1);
  wrapped.append(kWrapPrefix).append(text).push_back('}');

  bson_t b;
  bson_error_t error;
  if (!bson_init_from_json(&b, wrapped.data(), static_cast<ssize_t>(wrapped.size()), &error)) {
    return base::BadValue("invalid JSON: " + FixPositions(error.message));
  }
  base::Result<Document> doc = FromBson(bson_get_data(&b), b.len, limits);
  bson_destroy(&b);
  if (!doc.ok()) return doc.status();
  if (doc->size() != 1 || doc->fields()[0].first != "v") {
    return base::BadValue("invalid JSON: more than one value");
  }
  return std::move(doc->mutable_fields()[0].second);
}

base::Result<Document> ParseJsonDocument(std::string_view text, const Limits& limits) {
  PLINTH_ASSIGN_OR_RETURN(Value v, ParseJson(text, limits));
  if (!v.is_document()) {
    return Status(ErrorCode::kBadValue,
                  std::string("expected a JSON object, got ") + std::string(TypeName(v.type())));
  }
  return std::move(v.as_document());
}

}  // namespace plinth::doc
