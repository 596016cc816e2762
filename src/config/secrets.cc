#include "config/secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/json_escape.h"
#include "base/owner_only_file.h"
#include "base/utf8.h"
#include "config/names.h"
#include "doc/ejson.h"

extern char** environ;  // NOLINT: POSIX

namespace plinth::config {
namespace {

constexpr std::string_view kEnvPrefix = "PLINTH_SECRET_";
constexpr std::size_t kMaxSecretsFileBytes = 1024 * 1024;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string ModeString(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Secrets::Environment ProcessEnvironment() {
  Secrets::Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.substr(0, kEnvPrefix.size()) != kEnvPrefix) continue;
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

// Reads the whole file behind `fd`.
base::Result<std::string> ReadAll(int fd, const std::string& path) {
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::Status(base::ErrorCode::kIoError, Errno("cannot read " + path));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxSecretsFileBytes) {
      return base::Status(
          base::ErrorCode::kInvalidConfig,
          path + " is larger than " + std::to_string(kMaxSecretsFileBytes) + " bytes");
    }
  }
  return out;
}

}  // namespace

std::filesystem::path Secrets::FilePath(const std::filesystem::path& data_dir) {
  return data_dir / "secrets.json";
}

std::string Secrets::EnvVarName(std::string_view name) {
  std::string out(kEnvPrefix);
  for (char c : name) {
    if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += c;
    } else {
      out += '_';
    }
  }
  return out;
}

base::Result<Secrets> Secrets::Load(const std::filesystem::path& data_dir) {
  return Load(data_dir, ProcessEnvironment());
}

base::Result<Secrets> Secrets::Load(const std::filesystem::path& data_dir, Environment env) {
  Secrets secrets;
  for (auto& [key, value] : env) {
    if (key.substr(0, kEnvPrefix.size()) == kEnvPrefix) secrets.env_.emplace(key, value);
  }
  const std::string path = FilePath(data_dir).string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return secrets;
    return base::Status(base::ErrorCode::kIoError, Errno("cannot open " + path));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    base::Status s(base::ErrorCode::kIoError, Errno("cannot stat " + path));
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return base::Status(base::ErrorCode::kInvalidConfig, path + " is not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    return base::Status(base::ErrorCode::kInvalidConfig,
                        path + " has mode " + ModeString(st.st_mode) +
                            ", so other users may read or change the secrets in it; refusing "
                            "to use it. Make it readable by its owner only: chmod 600 " +
                            path);
  }
  base::Result<std::string> text = ReadAll(fd, path);
  ::close(fd);
  if (!text.ok()) return text.status();

  // The parser's message may quote the text near the error, which could be a
  // secret; say only where the problem is.
  base::Result<doc::Value> json = doc::ParseJson(*text);
  if (!json.ok() || !json->is_document()) {
    return base::Status(base::ErrorCode::kInvalidConfig,
                        path + " is not a JSON object of secret names to string values");
  }
  for (const auto& [name, value] : json->as_document()) {
    if (std::string problem = CheckValueName(name); !problem.empty()) {
      return base::Status(base::ErrorCode::kInvalidConfig, path + ": secret " + problem);
    }
    if (!value.is_string()) {
      return base::Status(base::ErrorCode::kInvalidConfig,
                          path + ": secret \"" + name + "\" must be a string");
    }
    secrets.file_[name] = value.as_string();
  }
  return secrets;
}

std::optional<std::string> Secrets::Get(std::string_view name) const {
  if (auto it = env_.find(EnvVarName(name)); it != env_.end()) return it->second;
  if (auto it = file_.find(name); it != file_.end()) return it->second;
  return std::nullopt;
}

base::Result<std::string> Secrets::Require(std::string_view name) const {
  if (std::optional<std::string> value = Get(name)) return std::move(*value);
  return base::NotFound("secret \"" + std::string(name) +
                        "\" is not set: add it with `plinth secrets set " + std::string(name) +
                        "` or set the environment variable " + EnvVarName(name));
}

Secrets::Source Secrets::SourceOf(std::string_view name) const {
  if (env_.count(EnvVarName(name)) != 0) return Source::kEnvironment;
  if (file_.find(name) != file_.end()) return Source::kFile;
  return Source::kNone;
}

std::vector<std::string> Secrets::FileNames() const {
  std::vector<std::string> names;
  for (const auto& [name, value] : file_) names.push_back(name);
  return names;
}

std::string Secrets::Describe(const std::vector<std::string>& names) const {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += '\n';
    out += name;
    switch (SourceOf(name)) {
      case Source::kEnvironment:
        out += " (environment " + EnvVarName(name) + ")";
        break;
      case Source::kFile:
        out += " (file)";
        break;
      case Source::kNone:
        out += " (not set)";
        break;
    }
  }
  return out;
}

base::Status Secrets::Set(std::string name, std::string value) {
  if (std::string problem = CheckValueName(name); !problem.empty()) {
    return base::BadValue("secret " + problem);
  }
  if (!base::IsValidUtf8(value)) {
    return base::BadValue("the value of secret \"" + name + "\" is not valid UTF-8");
  }
  file_[std::move(name)] = std::move(value);
  return base::Status::Ok();
}

bool Secrets::Remove(std::string_view name) {
  auto it = file_.find(name);
  if (it == file_.end()) return false;
  file_.erase(it);
  return true;
}

base::Status Secrets::Save(const std::filesystem::path& data_dir) const {
  std::error_code ec;
  if (!std::filesystem::exists(data_dir, ec)) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
      return base::Status(base::ErrorCode::kIoError,
                          "cannot create " + data_dir.string() + ": " + ec.message());
    }
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  std::string text = "{\n";
  bool first = true;
  for (const auto& [name, value] : file_) {
    if (!first) text += ",\n";
    first = false;
    text += "  ";
    base::AppendJsonString(&text, name);
    text += ": ";
    base::AppendJsonString(&text, value);
  }
  text += first ? "}\n" : "\n}\n";

  return base::WriteOwnerOnlyFile(FilePath(data_dir), text);
}

}  // namespace plinth::config
