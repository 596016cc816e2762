#include "config/app_loader.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include "config/app_validator.h"
#include "config/field_reader.h"
#include "config/names.h"
#include "config/template_expansion.h"
#include "doc/ejson.h"

namespace plinth::config {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxFunctionDirDepth = 16;

// Directories of an App Services export that Plinth does not serve.
const std::set<std::string, std::less<>> kIgnoredDirs = {
    "sync", "graphql", "hosting", "http_endpoints", "https_endpoints", "log_forwarders", ".mdb",
};

struct DirEntry {
  std::string name;
  bool is_dir = false;
  bool is_file = false;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  return std::string(a) + "/" + std::string(b);
}

// Loads one app directory. One instance per LoadAppCollectingErrors call.
class Loader {
 public:
  Loader(fs::path dir, base::Logger* logger)
      : dir_(std::move(dir)), logger_(logger ? logger : base::NullLogger()) {}

  LoadResult Run();

 private:
  base::Logger* logger() { return logger_; }
  FileDiagnostics Diag(const std::string& rel) { return FileDiagnostics(rel, &errors_, logger_); }
  void Error(const std::string& rel, std::string field, std::string message) {
    errors_.push_back({rel, std::move(field), std::move(message)});
  }
  fs::path Abs(const std::string& rel) const { return rel.empty() ? dir_ : dir_ / rel; }
  bool IsFile(const std::string& rel) const {
    std::error_code ec;
    return fs::is_regular_file(Abs(rel), ec);
  }
  bool IsDir(const std::string& rel) const {
    std::error_code ec;
    return fs::is_directory(Abs(rel), ec);
  }

  std::vector<DirEntry> List(const std::string& rel);
  std::optional<std::string> ReadText(const std::string& rel);
  // Reads and parses a JSON file; with `expand`, applies environment templates.
  std::optional<doc::Value> ReadJson(const std::string& rel, bool expand);

  bool LoadRoot();
  void LoadEnvironments();
  void LoadAuth();
  void LoadFunctions();
  void CollectFunctionSources(const std::string& rel_dir, int depth,
                              std::map<std::string, std::string>* sources);
  void LoadDataSources();
  void LoadDataSource(const std::string& dir_name);
  void LoadTriggers();
  void LoadValues();
  void LoadSettings();
  void CheckTopLevelEntries();

  fs::path dir_;
  base::Logger* logger_;
  std::vector<ConfigError> errors_;
  AppConfig app_;
  doc::Document env_values_;  // the active environment's values
  std::string env_file_;      // "environments/no-environment.json"
};

std::vector<DirEntry> Loader::List(const std::string& rel) {
  std::vector<DirEntry> entries;
  std::error_code ec;
  fs::directory_iterator it(Abs(rel), ec);
  if (ec) {
    Error(rel, "", "cannot list directory: " + ec.message());
    return entries;
  }
  for (fs::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) {
      Error(rel, "", "cannot list directory: " + ec.message());
      break;
    }
    DirEntry e;
    e.name = it->path().filename().string();
    std::error_code type_ec;
    e.is_dir = it->is_directory(type_ec);
    e.is_file = !e.is_dir && it->is_regular_file(type_ec);
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return entries;
}

std::optional<std::string> Loader::ReadText(const std::string& rel) {
  std::error_code ec;
  std::uintmax_t size = fs::file_size(Abs(rel), ec);
  if (ec) {
    Error(rel, "", "cannot read: " + ec.message());
    return std::nullopt;
  }
  if (size > kMaxConfigFileBytes) {
    Error(rel, "", "is larger than " + std::to_string(kMaxConfigFileBytes) + " bytes");
    return std::nullopt;
  }
  std::ifstream in(Abs(rel), std::ios::binary);
  if (!in) {
    Error(rel, "", "cannot open for reading");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    Error(rel, "", "read failed");
    return std::nullopt;
  }
  return text.str();
}

std::optional<doc::Value> Loader::ReadJson(const std::string& rel, bool expand) {
  std::optional<std::string> text = ReadText(rel);
  if (!text) return std::nullopt;
  base::Result<doc::Value> json = doc::ParseJson(*text);
  if (!json.ok()) {
    Error(rel, "", "malformed JSON: " + json.status().message());
    return std::nullopt;
  }
  doc::Value value = std::move(json).value();
  if (expand) {
    FileDiagnostics diag = Diag(rel);
    ExpandEnvironmentTemplates(&value, env_values_, env_file_, &diag);
  }
  return value;
}

bool Loader::LoadRoot() {
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) {
    Error("", "", "app directory " + dir_.string() + " does not exist or is not a directory");
    return false;
  }
  if (IsFile("root_config.json")) {
    app_.layout = ConfigLayout::kRootConfig;
    app_.root_file = "root_config.json";
    if (IsFile("realm_config.json")) {
      logger()->Warn("both root_config.json and realm_config.json exist; using root_config.json",
                     {{"dir", dir_.string()}});
    }
  } else if (IsFile("realm_config.json")) {
    app_.layout = ConfigLayout::kRealmConfig;
    app_.root_file = "realm_config.json";
  } else if (IsFile("config.json") || IsFile("stitch.json")) {
    Error(IsFile("config.json") ? "config.json" : "stitch.json", "",
          "this app uses the legacy layout (config_version 20200603 or older), which Plinth does "
          "not read. Export it again with `appservices pull` (or realm-cli v2 `pull`) to get "
          "root_config.json, or convert by hand: auth_providers/*.json -> auth/providers.json, "
          "functions/<name>/{config.json,source.js} -> functions/config.json + "
          "functions/<name>.js, services/<svc>/rules/*.json -> "
          "data_sources/<svc>/<db>/<coll>/rules.json, custom_user_data_config -> "
          "auth/custom_user_data.json (see docs/configuration.md)");
    return false;
  } else {
    Error("", "",
          "not an App Services app directory: no root_config.json (config_version 20230101) "
          "or realm_config.json (20210101) in " +
              dir_.string());
    return false;
  }
  std::optional<doc::Value> json = ReadJson(app_.root_file, /*expand=*/false);
  if (!json) return true;  // reported; keep going to report the other files too
  FileDiagnostics diag = Diag(app_.root_file);
  app_.root = ParseRootConfig(*json, &diag);
  return true;
}

void Loader::LoadEnvironments() {
  const std::string active = EnvironmentFileStem(app_.root.environment);
  env_file_ = "environments/" + active + ".json";
  if (!IsDir("environments")) return;
  for (const DirEntry& e : List("environments")) {
    const std::string rel = Join("environments", e.name);
    if (!e.is_file || !EndsWith(e.name, ".json")) {
      logger()->Debug("ignoring non-JSON entry", {{"file", rel}});
      continue;
    }
    std::string stem = e.name.substr(0, e.name.size() - 5);
    if (!IsKnownEnvironmentFile(stem)) {
      logger()->Warn(
          "unknown environment file ignored (expected no-environment, development, "
          "testing, qa or production)",
          {{"file", rel}});
      continue;
    }
    std::optional<doc::Value> json = ReadJson(rel, /*expand=*/false);
    if (!json) continue;
    FileDiagnostics diag = Diag(rel);
    app_.environments.push_back(ParseEnvironment(*json, stem, &diag));
  }
  if (const EnvironmentConfig* env = app_.ActiveEnvironment()) {
    env_values_ = env->values;
  } else if (!app_.root.environment.empty()) {
    logger()->Warn("the active environment has no file; it has no values", {{"file", env_file_}});
  }
}

void Loader::LoadAuth() {
  if (!IsDir("auth")) return;
  for (const DirEntry& e : List("auth")) {
    const std::string rel = Join("auth", e.name);
    if (e.name == "providers.json") {
      if (std::optional<doc::Value> json = ReadJson(rel, true)) {
        FileDiagnostics diag = Diag(rel);
        app_.auth_providers = ParseAuthProviders(*json, &diag);
      }
    } else if (e.name == "custom_user_data.json") {
      if (std::optional<doc::Value> json = ReadJson(rel, true)) {
        FileDiagnostics diag = Diag(rel);
        app_.custom_user_data = ParseCustomUserData(*json, &diag);
      }
    } else {
      logger()->Warn("unknown file in auth/ ignored", {{"file", rel}});
    }
  }
}

void Loader::CollectFunctionSources(const std::string& rel_dir, int depth,
                                    std::map<std::string, std::string>* sources) {
  if (depth > kMaxFunctionDirDepth) {
    Error(rel_dir, "",
          "functions are nested more than " + std::to_string(kMaxFunctionDirDepth) +
              " directories deep");
    return;
  }
  for (const DirEntry& e : List(rel_dir)) {
    const std::string rel = Join(rel_dir, e.name);
    if (e.is_dir) {
      if (e.name == "node_modules") {
        logger()->Debug("skipping node_modules in functions/", {{"dir", rel}});
        continue;
      }
      CollectFunctionSources(rel, depth + 1, sources);
    } else if (e.is_file && EndsWith(e.name, ".js")) {
      // "functions/utils/add.js" -> "utils/add"
      std::string name = rel.substr(std::string("functions/").size());
      name.resize(name.size() - 3);
      (*sources)[name] = rel;
    } else if (depth == 0 && e.name == "config.json") {
      continue;
    } else if (depth == 0 && (e.name == "package.json" || e.name.rfind("node_modules", 0) == 0)) {
      logger()->Warn(
          "npm dependencies are not supported by Plinth; require() of packages will "
          "fail",
          {{"file", rel}});
    } else {
      logger()->Debug("ignoring non-source file in functions/", {{"file", rel}});
    }
  }
}

void Loader::LoadFunctions() {
  if (!IsDir("functions")) return;
  const std::string manifest_file = "functions/config.json";
  std::optional<doc::Value> manifest;
  if (IsFile(manifest_file)) {
    manifest = ReadJson(manifest_file, true);
    if (manifest) {
      FileDiagnostics diag = Diag(manifest_file);
      app_.functions = ParseFunctionManifest(*manifest, &diag);
    }
  }
  std::map<std::string, std::string> sources;  // name -> relative path
  CollectFunctionSources("functions", 0, &sources);

  // Index of each manifest entry in the file, for messages.
  auto manifest_index = [&](const std::string& name) -> std::string {
    if (manifest && manifest->is_array()) {
      const doc::Array& entries = manifest->as_array();
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].is_document()) continue;
        const doc::Value* n = entries[i].as_document().Get("name");
        if (n != nullptr && n->is_string() && n->as_string() == name) {
          return IndexField("", i) + ".name";
        }
      }
    }
    return "";
  };

  for (FunctionConfig& f : app_.functions) {
    auto it = sources.find(f.name);
    if (it == sources.end()) {
      Error(manifest_file, manifest_index(f.name),
            "function \"" + f.name + "\" has no source file " + f.source_file);
      continue;
    }
    if (std::optional<std::string> text = ReadText(it->second)) f.source = std::move(*text);
    sources.erase(it);
  }
  for (auto& [name, rel] : sources) {
    if (std::string problem = CheckFunctionName(name); !problem.empty()) {
      Error(rel, "", problem);
      continue;
    }
    logger()->Info("function has no entry in functions/config.json; using the defaults",
                   {{"function", name}, {"file", rel}});
    FunctionConfig f;
    f.name = name;
    f.source_file = rel;
    f.in_manifest = false;
    if (std::optional<std::string> text = ReadText(rel)) f.source = std::move(*text);
    app_.functions.push_back(std::move(f));
  }
}

void Loader::LoadDataSource(const std::string& dir_name) {
  const std::string base = Join("data_sources", dir_name);
  const std::string config_file = base + "/config.json";
  DataSourceConfig ds;
  ds.name = dir_name;
  ds.dir = base;
  if (!IsFile(config_file)) {
    Error(base, "", "data source directory has no config.json");
  } else if (std::optional<doc::Value> json = ReadJson(config_file, true)) {
    FileDiagnostics diag = Diag(config_file);
    ds = ParseDataSourceConfig(*json, dir_name, &diag);
  }
  for (const DirEntry& db : List(base)) {
    const std::string db_rel = Join(base, db.name);
    if (!db.is_dir) {
      if (db.name == "default_rule.json") {
        if (std::optional<doc::Value> json = ReadJson(db_rel, true)) {
          FileDiagnostics diag = Diag(db_rel);
          ds.default_rule = ParseDefaultRule(*json, &diag);
        }
      } else if (db.name != "config.json") {
        logger()->Warn("unknown file in data source directory ignored", {{"file", db_rel}});
      }
      continue;
    }
    for (const DirEntry& coll : List(db_rel)) {
      const std::string coll_rel = Join(db_rel, coll.name);
      if (!coll.is_dir) {
        logger()->Warn(
            "unexpected file in database directory ignored (rules live in "
            "<db>/<collection>/rules.json)",
            {{"file", coll_rel}});
        continue;
      }
      const std::string rules_file = coll_rel + "/rules.json";
      const std::string schema_file = coll_rel + "/schema.json";
      const std::string relationships_file = coll_rel + "/relationships.json";
      CollectionRules rules;
      if (IsFile(rules_file)) {
        std::optional<doc::Value> json = ReadJson(rules_file, true);
        if (!json) continue;
        FileDiagnostics diag = Diag(rules_file);
        rules = ParseCollectionRules(*json, db.name, coll.name, &diag);
      } else if (IsFile(schema_file)) {
        rules.database = db.name;
        rules.collection = coll.name;
        rules.file = schema_file;
      } else {
        logger()->Warn("collection directory without rules.json or schema.json ignored",
                       {{"dir", coll_rel}});
        continue;
      }
      if (IsFile(schema_file)) {
        if (std::optional<doc::Value> json = ReadJson(schema_file, false)) {
          if (json->is_document()) {
            rules.schema = json->as_document();
          } else {
            Error(schema_file, "", "expected an object (a JSON schema)");
          }
        }
      }
      if (IsFile(relationships_file)) {
        if (std::optional<doc::Value> json = ReadJson(relationships_file, false)) {
          if (json->is_document()) {
            rules.relationships = json->as_document();
          } else {
            Error(relationships_file, "", "expected an object");
          }
        }
      }
      if (ds.type == "datalake" && rules.has_rules_file) {
        Error(rules_file, "", "a datalake (federated) data source cannot have collection rules");
      }
      ds.collections.push_back(std::move(rules));
    }
  }
  app_.data_sources.push_back(std::move(ds));
}

void Loader::LoadDataSources() {
  if (!IsDir("data_sources")) return;
  for (const DirEntry& e : List("data_sources")) {
    if (!e.is_dir) {
      logger()->Warn("unknown file in data_sources/ ignored",
                     {{"file", Join("data_sources", e.name)}});
      continue;
    }
    LoadDataSource(e.name);
  }
}

void Loader::LoadTriggers() {
  if (!IsDir("triggers")) return;
  for (const DirEntry& e : List("triggers")) {
    const std::string rel = Join("triggers", e.name);
    if (!e.is_file || !EndsWith(e.name, ".json")) {
      logger()->Warn("non-JSON entry in triggers/ ignored", {{"file", rel}});
      continue;
    }
    if (std::optional<doc::Value> json = ReadJson(rel, true)) {
      FileDiagnostics diag = Diag(rel);
      app_.triggers.push_back(ParseTrigger(*json, &diag));
    }
  }
}

void Loader::LoadValues() {
  if (!IsDir("values")) return;
  for (const DirEntry& e : List("values")) {
    const std::string rel = Join("values", e.name);
    if (!e.is_file || !EndsWith(e.name, ".json")) {
      logger()->Warn("non-JSON entry in values/ ignored", {{"file", rel}});
      continue;
    }
    if (std::optional<doc::Value> json = ReadJson(rel, true)) {
      FileDiagnostics diag = Diag(rel);
      app_.values.push_back(ParseValue(*json, &diag));
    }
  }
}

void Loader::LoadSettings() {
  if (!IsFile("plinth.json")) return;
  if (std::optional<doc::Value> json = ReadJson("plinth.json", false)) {
    FileDiagnostics diag = Diag("plinth.json");
    app_.settings = ParsePlinthSettings(*json, &diag);
  }
}

void Loader::CheckTopLevelEntries() {
  static const std::set<std::string, std::less<>> kRead = {
      "root_config.json", "realm_config.json", "plinth.json", "auth",         "functions",
      "data_sources",     "triggers",          "values",      "environments",
  };
  for (const DirEntry& e : List("")) {
    if (kRead.count(e.name) != 0) continue;
    if (kIgnoredDirs.count(e.name) != 0) {
      logger()->Debug("not served by Plinth; ignored", {{"dir", e.name}});
    } else if (e.is_dir && e.name[0] != '.') {
      logger()->Warn("unknown directory in the app directory ignored", {{"dir", e.name}});
    } else {
      logger()->Debug("unknown entry in the app directory ignored", {{"file", e.name}});
    }
  }
}

LoadResult Loader::Run() {
  app_.dir = dir_;
  LoadResult result;
  if (LoadRoot()) {
    LoadEnvironments();
    LoadAuth();
    LoadFunctions();
    LoadDataSources();
    LoadTriggers();
    LoadValues();
    LoadSettings();
    CheckTopLevelEntries();
    ValidateApp(app_, &errors_, logger_);
  }
  result.errors = std::move(errors_);
  if (result.errors.empty()) result.app = std::move(app_);
  return result;
}

}  // namespace

LoadResult LoadAppCollectingErrors(const std::filesystem::path& dir, base::Logger* logger) {
  return Loader(dir, logger).Run();
}

base::Result<AppConfig> LoadApp(const std::filesystem::path& dir, base::Logger* logger) {
  LoadResult result = LoadAppCollectingErrors(dir, logger);
  if (!result.ok()) {
    const std::size_t n = result.errors.size();
    return base::Status(base::ErrorCode::kInvalidConfig,
                        "invalid app config (" + std::to_string(n) +
                            (n == 1 ? " error" : " errors") + "):\n" +
                            FormatConfigErrors(result.errors));
  }
  return std::move(*result.app);
}

}  // namespace plinth::config
