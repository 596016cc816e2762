#include "config/field_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace plinth::config {

std::string_view JsonTypeName(const doc::Value& value) {
  switch (value.type()) {
    case doc::Type::kString:
      return "string";
    case doc::Type::kInt32:
    case doc::Type::kInt64:
    case doc::Type::kDouble:
    case doc::Type::kDecimal128:
      return "number";
    case doc::Type::kBool:
      return "boolean";
    case doc::Type::kDocument:
      return "object";
    case doc::Type::kArray:
      return "array";
    case doc::Type::kNull:
      return "null";
    default:
      return doc::TypeName(value.type());
  }
}

FileDiagnostics::FileDiagnostics(std::string file, std::vector<ConfigError>* errors,
                                 base::Logger* logger)
    : file_(std::move(file)), errors_(errors), logger_(logger ? logger : base::NullLogger()) {}

void FileDiagnostics::Error(std::string field, std::string message) {
  errors_->push_back(ConfigError{file_, std::move(field), std::move(message)});
  ++error_count_;
}

void FileDiagnostics::Warn(std::string_view field, std::string_view message) {
  logger_->Warn(message, {{"file", file_}, {"field", field}});
}

void FileDiagnostics::UnknownKey(std::string_view field) {
  logger_->Warn("unknown key in app config file (ignored)", {{"file", file_}, {"key", field}});
}

std::string JoinField(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  std::string out(prefix);
  out += '.';
  out += key;
  return out;
}

std::string IndexField(std::string_view prefix, std::size_t index) {
  return std::string(prefix) + "[" + std::to_string(index) + "]";
}

FieldReader::FieldReader(const doc::Value& value, std::string path, FileDiagnostics* diag)
    : path_(std::move(path)), diag_(diag) {
  if (value.is_document()) {
    doc_ = &value.as_document();
  } else {
    diag_->Error(path_, "expected an object, got " + std::string(JsonTypeName(value)));
  }
}

bool FieldReader::Has(std::string_view key) const {
  if (doc_ == nullptr) return false;
  const doc::Value* v = doc_->Get(key);
  return v != nullptr && !v->is_null();
}

const doc::Value* FieldReader::Get(std::string_view key, Presence presence) {
  if (doc_ == nullptr) return nullptr;
  known_.emplace_back(key);
  const doc::Value* v = doc_->Get(key);
  if (v == nullptr || v->is_null()) {
    if (presence == Presence::kRequired) diag_->Error(FieldOf(key), "is required");
    return nullptr;
  }
  return v;
}

void FieldReader::TypeError(std::string_view key, std::string_view expected,
                            const doc::Value& got) {
  diag_->Error(FieldOf(key),
               "expected " + std::string(expected) + ", got " + std::string(JsonTypeName(got)));
}

std::optional<std::string> FieldReader::String(std::string_view key, Presence p) {
  const doc::Value* v = Get(key, p);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    TypeError(key, "a string", *v);
    return std::nullopt;
  }
  return v->as_string();
}

std::optional<bool> FieldReader::Bool(std::string_view key, Presence p) {
  const doc::Value* v = Get(key, p);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    TypeError(key, "a boolean", *v);
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<std::int64_t> FieldReader::Int(std::string_view key, Presence p) {
  const doc::Value* v = Get(key, p);
  if (v == nullptr) return std::nullopt;
  switch (v->type()) {
    case doc::Type::kInt32:
      return v->as_int32();
    case doc::Type::kInt64:
      return v->as_int64();
    case doc::Type::kDouble: {
      double d = v->as_double();
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
        return static_cast<std::int64_t>(d);
      }
      break;
    }
    default:
      break;
  }
  TypeError(key, "an integer", *v);
  return std::nullopt;
}

std::optional<doc::Document> FieldReader::Object(std::string_view key, Presence p) {
  const doc::Value* v = Get(key, p);
  if (v == nullptr) return std::nullopt;
  if (!v->is_document()) {
    TypeError(key, "an object", *v);
    return std::nullopt;
  }
  return v->as_document();
}

std::optional<std::vector<std::string>> FieldReader::StringArray(std::string_view key, Presence p) {
  const doc::Value* v = Get(key, p);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    TypeError(key, "an array of strings", *v);
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  const doc::Array& array = v->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string()) {
      diag_->Error(IndexField(FieldOf(key), i),
                   "expected a string, got " + std::string(JsonTypeName(array[i])));
      ok = false;
      continue;
    }
    out.push_back(array[i].as_string());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<doc::Value> FieldReader::Expression(std::string_view key, Presence p) {
  const doc::Value* v = Get(key, p);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool() && !v->is_document()) {
    TypeError(key, "an expression (true, false or an object)", *v);
    return std::nullopt;
  }
  return *v;
}

FieldReader FieldReader::Child(std::string_view key, Presence p) {
  const doc::Value* v = Get(key, p);
  if (v == nullptr) return FieldReader(FieldOf(key), diag_);
  return FieldReader(*v, FieldOf(key), diag_);
}

void FieldReader::Read(std::string_view key, std::string* out, Presence p) {
  if (auto v = String(key, p)) *out = std::move(*v);
}
void FieldReader::Read(std::string_view key, bool* out, Presence p) {
  if (auto v = Bool(key, p)) *out = *v;
}
void FieldReader::Read(std::string_view key, std::int64_t* out, Presence p) {
  if (auto v = Int(key, p)) *out = *v;
}
void FieldReader::Read(std::string_view key, std::vector<std::string>* out, Presence p) {
  if (auto v = StringArray(key, p)) *out = std::move(*v);
}
void FieldReader::Read(std::string_view key, doc::Document* out, Presence p) {
  if (auto v = Object(key, p)) *out = std::move(*v);
}

void FieldReader::ReadInRange(std::string_view key, std::int64_t min, std::int64_t max,
                              std::int64_t* out) {
  auto v = Int(key);
  if (!v) return;
  if (*v < min || *v > max) {
    diag_->Error(FieldOf(key), "must be between " + std::to_string(min) + " and " +
                                   std::to_string(max) + ", got " + std::to_string(*v));
    return;
  }
  *out = *v;
}

void FieldReader::Ignore(std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) known_.emplace_back(k);
}

void FieldReader::WarnUnknownKeys() {
  if (doc_ == nullptr) return;
  for (const auto& [name, value] : *doc_) {
    if (std::find(known_.begin(), known_.end(), name) == known_.end()) {
      diag_->UnknownKey(FieldOf(name));
    }
  }
}

}  // namespace plinth::config
