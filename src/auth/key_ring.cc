#include "auth/key_ring.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "base/error_code.h"
#include "base/owner_only_file.h"
#include "doc/ejson.h"

namespace plinth::auth {
namespace {

namespace fs = std::filesystem;

base::Status IoError(std::string message) {
  return base::Status(base::ErrorCode::kIoError, std::move(message));
}

// Creates <data>/keys (owner-only) and writes the key file into it.
base::Status WriteKeyFile(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return IoError("cannot create " + path.parent_path().string() + ": " + ec.message());
  fs::permissions(path.parent_path(), fs::perms::owner_all, fs::perm_options::replace, ec);
  return base::WriteOwnerOnlyFile(path, text);
}

base::Result<std::vector<crypto::SigningKey>> FromSecrets(const config::TokenSettings& settings,
                                                          const config::Secrets& secrets,
                                                          crypto::JwtAlgorithm alg) {
  std::vector<crypto::SigningKey> keys;
  for (const std::string& name : settings.signing_key_secrets) {
    PLINTH_ASSIGN_OR_RETURN(std::string value, secrets.Require(name));
    base::Result<crypto::SigningKey> key = alg == crypto::JwtAlgorithm::kHS256
                                               ? crypto::SigningKey::Hmac(value, name)
                                               : crypto::SigningKey::FromPem(alg, value, name);
    if (!key.ok()) {
      // The message names the secret, never its value.
      return base::Status(base::ErrorCode::kInvalidConfig,
                          "plinth.json tokens.signing_key_secrets: secret \"" + name +
                              "\" is not a usable " + std::string(crypto::JwtAlgorithmName(alg)) +
                              " key: " + key.status().message());
    }
    if (!key->can_sign() && keys.empty()) {
      return base::Status(base::ErrorCode::kInvalidConfig,
                          "plinth.json tokens.signing_key_secrets: the first secret (\"" + name +
                              "\") signs tokens and must hold a private key");
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

}  // namespace

fs::path KeyRing::KeyFile(const fs::path& data_dir, std::string_view app_id) {
  return data_dir / "keys" / (std::string(app_id) + ".json");
}

base::Result<KeyRing> KeyRing::Load(const fs::path& data_dir, std::string_view app_id,
                                    const config::TokenSettings& settings,
                                    const config::Secrets& secrets, base::Random& random) {
  std::optional<crypto::JwtAlgorithm> alg = crypto::ParseJwtAlgorithm(settings.signing_algorithm);
  if (!alg) {
    return base::Status(base::ErrorCode::kInvalidConfig,
                        "plinth.json tokens.signing_algorithm: unknown algorithm");
  }
  if (!settings.signing_key_secrets.empty()) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<crypto::SigningKey> keys,
                            FromSecrets(settings, secrets, *alg));
    return KeyRing(*alg, std::move(keys));
  }

  // Generated keys, kept in the data directory.
  const fs::path file = KeyFile(data_dir, app_id);
  doc::Array stored;
  std::vector<crypto::SigningKey> keys;
  std::error_code ec;
  if (fs::exists(file, ec)) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      return base::Status(base::ErrorCode::kInvalidConfig,
                          file.string() + " must be readable by its owner only (chmod 600)");
    }
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) return IoError("cannot read " + file.string());
    base::Result<doc::Document> parsed = doc::ParseJsonDocument(text.str());
    const doc::Value* list = parsed.ok() ? parsed->Get("keys") : nullptr;
    if (list == nullptr || !list->is_array()) {
      return base::Status(base::ErrorCode::kInvalidConfig, file.string() + " is malformed");
    }
    stored = list->as_array();
    for (const doc::Value& entry : stored) {
      const doc::Value* kid = entry.is_document() ? entry.as_document().Get("kid") : nullptr;
      const doc::Value* a = entry.is_document() ? entry.as_document().Get("alg") : nullptr;
      const doc::Value* k = entry.is_document() ? entry.as_document().Get("key") : nullptr;
      if (kid == nullptr || a == nullptr || k == nullptr || !kid->is_string() || !a->is_string() ||
          !k->is_string()) {
        return base::Status(base::ErrorCode::kInvalidConfig, file.string() + " is malformed");
      }
      if (a->as_string() != crypto::JwtAlgorithmName(*alg)) continue;
      base::Result<crypto::SigningKey> key =
          crypto::SigningKey::Import(*alg, k->as_string(), kid->as_string());
      if (!key.ok()) {
        return base::Status(base::ErrorCode::kInvalidConfig,
                            file.string() + ": key " + kid->as_string() + " is unusable");
      }
      keys.push_back(std::move(*key));
    }
  }
  const bool current_is_first =
      !stored.empty() &&
      stored[0].as_document().Get("alg")->as_string() == crypto::JwtAlgorithmName(*alg);
  if (!current_is_first) {
    PLINTH_ASSIGN_OR_RETURN(crypto::SigningKey key,
                            crypto::SigningKey::Generate(*alg, random.Hex(8), random));
    PLINTH_ASSIGN_OR_RETURN(std::string exported, key.ExportPrivate());
    doc::Array updated;
    updated.Append(doc::Document{{"kid", key.kid()},
                                 {"alg", std::string(crypto::JwtAlgorithmName(*alg))},
                                 {"key", exported}});
    for (const doc::Value& entry : stored) updated.Append(entry);
    PLINTH_RETURN_IF_ERROR(
        WriteKeyFile(file, doc::ToRelaxedJson(doc::Document{{"keys", std::move(updated)}})));
    keys.insert(keys.begin(), std::move(key));
  }
  return KeyRing(*alg, std::move(keys));
}

}  // namespace plinth::auth
