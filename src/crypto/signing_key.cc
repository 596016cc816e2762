#include "crypto/signing_key.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <climits>
#include <cstddef>
#include <utility>

#include "crypto/base64url.h"
#include "crypto/constant_time.h"
#include "crypto/sha256.h"

namespace plinth::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// OpenSSL keeps a per-thread error queue. Every failure path empties it so a
// stale entry never surfaces in some unrelated later call on this thread.
base::Status OpenSslFailure(std::string message) {
  ERR_clear_error();
  return base::Internal(std::move(message));
}

base::Status InvalidKey(std::string message) {
  ERR_clear_error();
  return {base::ErrorCode::kInvalidParameter, std::move(message)};
}

// Refuses to decrypt: an encrypted PEM would otherwise make OpenSSL's default
// callback prompt for a passphrase on the terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

// The key type `algorithm` needs, checked on a parsed key.
base::Status CheckKeyType(JwtAlgorithm algorithm, EVP_PKEY* pkey) {
  switch (algorithm) {
    case JwtAlgorithm::kRS256:
      if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        return InvalidKey("RS256 needs an RSA key");
      }
      if (EVP_PKEY_get_bits(pkey) < SigningKey::kMinRsaBits) {
        return InvalidKey("RS256 needs an RSA key of at least 2048 bits");
      }
      return base::Status::Ok();
    case JwtAlgorithm::kEdDSA:
      if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
        return InvalidKey("EdDSA needs an Ed25519 key");
      }
      return base::Status::Ok();
    case JwtAlgorithm::kHS256:
      break;
  }
  return InvalidKey("HS256 keys are secrets, not PEM keys");
}

BioPtr MemoryBio(std::string_view data) {
  if (data.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

base::Result<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return OpenSslFailure("could not write key");
  return std::string(data, static_cast<std::size_t>(size));
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

// Immutable once built; shared by every copy of a SigningKey.
struct SigningKey::Impl {
  Impl(JwtAlgorithm alg, std::string key_id) : algorithm(alg), kid(std::move(key_id)) {}
  ~Impl() {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  JwtAlgorithm algorithm;
  std::string kid;
  std::string secret;             // HS256 only
  std::unique_ptr<HmacKey> hmac;  // HS256 only: `secret`, keyed once
  PkeyPtr pkey;                   // RS256 and EdDSA only
  bool has_private = false;
};

std::string_view JwtAlgorithmName(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kHS256:
      return "HS256";
    case JwtAlgorithm::kRS256:
      return "RS256";
    case JwtAlgorithm::kEdDSA:
      return "EdDSA";
  }
  return "";
}

std::optional<JwtAlgorithm> ParseJwtAlgorithm(std::string_view name) {
  for (JwtAlgorithm a : {JwtAlgorithm::kHS256, JwtAlgorithm::kRS256, JwtAlgorithm::kEdDSA}) {
    if (JwtAlgorithmName(a) == name) return a;
  }
  return std::nullopt;
}

base::Result<SigningKey> SigningKey::Hmac(std::string secret, std::string kid) {
  if (secret.size() < kMinHmacSecretBytes) {
    OPENSSL_cleanse(secret.data(), secret.size());
    return base::Status(base::ErrorCode::kInvalidParameter,
                        "HS256 secret must be at least 32 bytes");
  }
  auto impl = std::make_shared<Impl>(JwtAlgorithm::kHS256, std::move(kid));
  impl->secret = std::move(secret);
  impl->hmac = std::make_unique<HmacKey>(impl->secret);
  impl->has_private = true;
  return SigningKey(std::move(impl));
}

base::Result<SigningKey> SigningKey::FromPem(JwtAlgorithm algorithm, std::string_view pem,
                                             std::string kid) {
  if (algorithm == JwtAlgorithm::kHS256) {
    return InvalidKey("HS256 keys are secrets, not PEM keys");
  }
  // Private key first; if the text holds none, a public key. Each attempt
  // reads from a fresh BIO since a failed read consumes input.
  bool has_private = true;
  PkeyPtr pkey;
  {
    BioPtr bio = MemoryBio(pem);
    if (!bio) return InvalidKey("invalid PEM key");
    pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  }
  if (!pkey) {
    ERR_clear_error();
    has_private = false;
    BioPtr bio = MemoryBio(pem);
    if (!bio) return InvalidKey("invalid PEM key");
    pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  }
  if (!pkey) return InvalidKey("invalid PEM key");
  PLINTH_RETURN_IF_ERROR(CheckKeyType(algorithm, pkey.get()));
  auto impl = std::make_shared<Impl>(algorithm, std::move(kid));
  impl->pkey = std::move(pkey);
  impl->has_private = has_private;
  return SigningKey(std::move(impl));
}

base::Result<SigningKey> SigningKey::Generate(JwtAlgorithm algorithm, std::string kid,
                                              base::Random& random) {
  if (algorithm == JwtAlgorithm::kHS256) {
    std::string secret(kGeneratedHmacSecretBytes, '\0');
    random.Fill(secret.data(), secret.size());
    return Hmac(std::move(secret), std::move(kid));
  }
  const char* type = algorithm == JwtAlgorithm::kRS256 ? "RSA" : "ED25519";
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0) {
    return OpenSslFailure("key generation failed");
  }
  if (algorithm == JwtAlgorithm::kRS256 &&
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), kMinRsaBits) <= 0) {
    return OpenSslFailure("key generation failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) <= 0) return OpenSslFailure("key generation failed");
  auto impl = std::make_shared<Impl>(algorithm, std::move(kid));
  impl->pkey.reset(raw);
  impl->has_private = true;
  return SigningKey(std::move(impl));
}

base::Result<SigningKey> SigningKey::Import(JwtAlgorithm algorithm, std::string_view exported,
                                            std::string kid) {
  if (algorithm == JwtAlgorithm::kHS256) {
    base::Result<std::string> secret = Base64UrlDecode(exported);
    if (!secret.ok()) return InvalidKey("invalid exported HS256 secret");
    return Hmac(std::move(secret).value(), std::move(kid));
  }
  PLINTH_ASSIGN_OR_RETURN(SigningKey key, FromPem(algorithm, exported, std::move(kid)));
  if (!key.can_sign()) return InvalidKey("exported key must be a private key");
  return key;
}

JwtAlgorithm SigningKey::algorithm() const { return impl_->algorithm; }
const std::string& SigningKey::kid() const { return impl_->kid; }
bool SigningKey::can_sign() const { return impl_->has_private; }

base::Result<std::string> SigningKey::Sign(std::string_view data) const {
  if (!impl_->has_private) {
    return base::Status(base::ErrorCode::kInvalidParameter, "key cannot sign (public key only)");
  }
  if (impl_->algorithm == JwtAlgorithm::kHS256) {
    Sha256Digest mac = impl_->hmac->Mac(data);
    return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
  }
  // RS256 hashes with SHA-256 (PKCS#1 v1.5 is the RSA default); Ed25519 takes
  // no digest (md = NULL) and supports only the one-shot EVP_DigestSign.
  const EVP_MD* md = impl_->algorithm == JwtAlgorithm::kRS256 ? EVP_sha256() : nullptr;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, impl_->pkey.get()) != 1) {
    return OpenSslFailure("signing failed");
  }
  std::size_t size = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &size, Bytes(data), data.size()) != 1) {
    return OpenSslFailure("signing failed");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     Bytes(data), data.size()) != 1) {
    return OpenSslFailure("signing failed");
  }
  signature.resize(size);
  return signature;
}

bool SigningKey::Verify(std::string_view data, std::string_view signature) const {
  if (impl_->algorithm == JwtAlgorithm::kHS256) {
    Sha256Digest mac = impl_->hmac->Mac(data);
    return ConstantTimeEquals(
        std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()), signature);
  }
  const EVP_MD* md = impl_->algorithm == JwtAlgorithm::kRS256 ? EVP_sha256() : nullptr;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, impl_->pkey.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  bool ok = EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(data),
                             data.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

base::Result<std::string> SigningKey::ExportPrivate() const {
  if (!impl_->has_private) return InvalidKey("key has no private part to export");
  if (impl_->algorithm == JwtAlgorithm::kHS256) return Base64UrlEncode(impl_->secret);
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted.
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return OpenSslFailure("could not export key");
  }
  return BioContents(bio.get());
}

base::Result<std::string> SigningKey::ExportPublicPem() const {
  if (impl_->algorithm == JwtAlgorithm::kHS256) return InvalidKey("HS256 has no public key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
    return OpenSslFailure("could not export key");
  }
  return BioContents(bio.get());
}

}  // namespace plinth::crypto
