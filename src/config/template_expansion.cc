#include "config/template_expansion.h"

#include <string_view>

namespace plinth::config {
namespace {

constexpr std::string_view kOpen = "%(%%environment.values.";

const doc::Value* Lookup(const doc::Document& values, std::string_view path) {
  const doc::Document* current = &values;
  while (true) {
    std::size_t dot = path.find('.');
    const doc::Value* v = current->Get(path.substr(0, dot));
    if (v == nullptr || dot == std::string_view::npos) return v;
    if (!v->is_document()) return nullptr;
    current = &v->as_document();
    path.remove_prefix(dot + 1);
  }
}

void ExpandString(std::string* s, const doc::Document& env_values, const std::string& env_file,
                  const std::string& field, FileDiagnostics* diag) {
  if (s->find(kOpen) == std::string::npos) return;
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t open = s->find(kOpen, pos);
    if (open == std::string::npos) break;
    std::size_t close = s->find(')', open);
    if (close == std::string::npos) {
      diag->Error(field, "unterminated template %(%%environment.values...");
      return;
    }
    out.append(*s, pos, open - pos);
    std::string_view name =
        std::string_view(*s).substr(open + kOpen.size(), close - open - kOpen.size());
    const doc::Value* v = Lookup(env_values, name);
    if (v == nullptr) {
      diag->Error(field, "template refers to environment value \"" + std::string(name) +
                             "\", which " + env_file + " does not define");
      return;
    }
    switch (v->type()) {
      case doc::Type::kString:
        out += v->as_string();
        break;
      case doc::Type::kInt32:
        out += std::to_string(v->as_int32());
        break;
      case doc::Type::kInt64:
        out += std::to_string(v->as_int64());
        break;
      case doc::Type::kBool:
        out += v->as_bool() ? "true" : "false";
        break;
      default:
        diag->Error(field, "environment value \"" + std::string(name) + "\" is " +
                               std::string(JsonTypeName(*v)) +
                               "; templates take strings, integers or booleans");
        return;
    }
    pos = close + 1;
  }
  out.append(*s, pos, std::string::npos);
  *s = std::move(out);
}

void Expand(doc::Value* v, const doc::Document& env_values, const std::string& env_file,
            const std::string& field, FileDiagnostics* diag) {
  if (v->is_string()) {
    if (v->as_string().find(kOpen) == std::string::npos) return;
    std::string s = v->as_string();
    ExpandString(&s, env_values, env_file, field, diag);
    *v = doc::Value(std::move(s));
  } else if (v->is_document()) {
    for (auto& [key, child] : v->as_document().mutable_fields()) {
      Expand(&child, env_values, env_file, JoinField(field, key), diag);
    }
  } else if (v->is_array()) {
    auto& values = v->as_array().mutable_values();
    for (std::size_t i = 0; i < values.size(); ++i) {
      Expand(&values[i], env_values, env_file, IndexField(field, i), diag);
    }
  }
}

}  // namespace

void ExpandEnvironmentTemplates(doc::Value* json, const doc::Document& env_values,
                                const std::string& env_file, FileDiagnostics* diag) {
  Expand(json, env_values, env_file, "", diag);
}

}  // namespace plinth::config
