#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <string>
#include <thread>
#include <vector>

#include "base/random.h"
#include "crypto/base64url.h"
#include "crypto/constant_time.h"
#include "crypto/jwt.h"
#include "crypto/password_hash.h"
#include "crypto/sha256.h"
#include "crypto/signing_key.h"
#include "doc/base64.h"

namespace plinth::crypto {
namespace {

using base::ErrorCode;

constexpr std::int64_t kNow = 1'700'000'000;

// Keys are made once: RSA generation is the slow part of this binary.
struct Keys {
  SigningKey hs;
  SigningKey hs_other;
  SigningKey rs;
  SigningKey rs_public;
  SigningKey ed;
};

SigningKey Must(base::Result<SigningKey> key) {
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

const Keys& TestKeys() {
  static const Keys* keys = [] {
    base::SeededRandom random(42);
    SigningKey rs = Must(SigningKey::Generate(JwtAlgorithm::kRS256, "rs1", random));
    std::string public_pem = rs.ExportPublicPem().value();
    return new Keys{
        Must(SigningKey::Hmac(std::string(32, 'k'), "")),
        Must(SigningKey::Hmac(std::string(32, 'x'), "")),
        rs,
        Must(SigningKey::FromPem(JwtAlgorithm::kRS256, public_pem, "rs1")),
        Must(SigningKey::Generate(JwtAlgorithm::kEdDSA, "ed1", random)),
    };
  }();
  return *keys;
}

std::string Payload(std::int64_t exp) {
  return R"({"sub":"u1","exp":)" + std::to_string(exp) + "}";
}

// A token from raw header and payload text, signed by `key`.
std::string Craft(std::string_view header, std::string_view payload, const SigningKey& key) {
  std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  return input + "." + Base64UrlEncode(key.Sign(input).value());
}

constexpr std::string_view kHsHeader = R"({"alg":"HS256","typ":"JWT"})";

JwtVerifyOptions Options(const std::vector<SigningKey>& keys, JwtAlgorithm alg) {
  JwtVerifyOptions options;
  options.keys = &keys;
  options.algorithm = alg;
  options.now_seconds = kNow;
  return options;
}

// Expects `token` to fail verification with kInvalidSession and `message`.
void ExpectRejected(std::string_view token, const JwtVerifyOptions& options,
                    std::string_view message) {
  base::Result<VerifiedJwt> result = VerifyJwt(token, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidSession);
  EXPECT_EQ(result.status().message(), message);
  // Messages never echo the token.
  if (token.size() > 8) {
    EXPECT_EQ(result.status().message().find(token.substr(0, 8)), std::string::npos);
  }
}

std::string HsToken(std::string_view payload) { return Craft(kHsHeader, payload, TestKeys().hs); }

// --- base64url -------------------------------------------------------------

TEST(Base64UrlTest, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64UrlTest, UsesUrlSafeAlphabet) {
  std::string bytes = "\xfb\xff\xbf";
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_").value(), bytes);
  EXPECT_FALSE(Base64UrlDecode("+/+/").ok());
}

// Appending keeps what was there and encodes every length and byte value
// (the direct encoder must agree with the standard one translated).
TEST(Base64UrlTest, AppendMatchesStandardTranslated) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= bytes.size(); n += (n < 8 ? 1 : 37)) {
    std::string expected = doc::Base64Encode(bytes.substr(0, n));
    while (!expected.empty() && expected.back() == '=') expected.pop_back();
    for (char& c : expected) c = c == '+' ? '-' : (c == '/' ? '_' : c);
    std::string out = "prefix.";
    AppendBase64Url(&out, bytes.substr(0, n));
    EXPECT_EQ(out, "prefix." + expected) << n;
    EXPECT_EQ(Base64UrlDecode(out.substr(7)).value(), bytes.substr(0, n));
  }
}

TEST(Base64UrlTest, ToleratesCorrectPaddingOnly) {
  EXPECT_EQ(Base64UrlDecode("Zg==").value(), "f");
  EXPECT_EQ(Base64UrlDecode("Zm8=").value(), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zg=").ok());
  EXPECT_FALSE(Base64UrlDecode("Zg===").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9v=").ok());
  EXPECT_FALSE(Base64UrlDecode("Z=g").ok());
}

TEST(Base64UrlTest, RejectsBadInput) {
  EXPECT_EQ(Base64UrlDecode("Z").status().code(), ErrorCode::kBadValue);  // len % 4 == 1
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm 9").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm.9").ok());
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());   // non-zero trailing bits ("f" is "Zg")
  EXPECT_FALSE(Base64UrlDecode("Zm9").ok());  // non-zero trailing bits ("fo" is "Zm8")
}

// --- hashes ----------------------------------------------------------------

TEST(Sha256Test, Abc) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, HmacRfc4231TestCase2) {
  Sha256Digest mac = HmacSha256("Jefe", "what do ya want for nothing?");
  std::string hex;
  for (std::uint8_t b : mac) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// The keyed-once HMAC gives the one-shot digest, for short and long keys and
// inputs longer than a block, also with threads sharing one key.
TEST(Sha256Test, HmacKeyMatchesOneShot) {
  const std::string long_key(200, 'k');
  const std::string inputs[] = {"", "what do ya want for nothing?", std::string(5000, 'x')};
  for (const std::string& key : {std::string("Jefe"), long_key, std::string()}) {
    HmacKey keyed(key);
    for (const std::string& data : inputs) EXPECT_EQ(keyed.Mac(data), HmacSha256(key, data));
  }
  HmacKey shared("shared secret");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&shared, &mismatches, t] {
      for (int i = 0; i < 200; ++i) {
        std::string data = std::to_string(t) + ":" + std::to_string(i);
        if (shared.Mac(data) != HmacSha256("shared secret", data)) {
          ++mismatches[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(ConstantTimeTest, Equals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

// --- signing keys ----------------------------------------------------------

TEST(SigningKeyTest, AlgorithmNames) {
  EXPECT_EQ(JwtAlgorithmName(JwtAlgorithm::kHS256), "HS256");
  EXPECT_EQ(JwtAlgorithmName(JwtAlgorithm::kRS256), "RS256");
  EXPECT_EQ(JwtAlgorithmName(JwtAlgorithm::kEdDSA), "EdDSA");
  EXPECT_EQ(ParseJwtAlgorithm("RS256"), JwtAlgorithm::kRS256);
  EXPECT_EQ(ParseJwtAlgorithm("EdDSA"), JwtAlgorithm::kEdDSA);
  EXPECT_FALSE(ParseJwtAlgorithm("none"));
  EXPECT_FALSE(ParseJwtAlgorithm("hs256"));
  EXPECT_FALSE(ParseJwtAlgorithm(""));
}

TEST(SigningKeyTest, HmacSecretTooShort) {
  auto key = SigningKey::Hmac(std::string(31, 'k'), "");
  EXPECT_EQ(key.status().code(), ErrorCode::kInvalidParameter);
}

TEST(SigningKeyTest, SignVerifyEachAlgorithm) {
  const Keys& k = TestKeys();
  for (const SigningKey* key : {&k.hs, &k.rs, &k.ed}) {
    SCOPED_TRACE(JwtAlgorithmName(key->algorithm()));
    EXPECT_TRUE(key->can_sign());
    std::string sig = key->Sign("data").value();
    EXPECT_FALSE(sig.empty());
    EXPECT_TRUE(key->Verify("data", sig));
    EXPECT_FALSE(key->Verify("datA", sig));
    std::string bad = sig;
    bad[0] = static_cast<char>(bad[0] ^ 1);
    EXPECT_FALSE(key->Verify("data", bad));
    EXPECT_FALSE(key->Verify("data", ""));
  }
  EXPECT_EQ(k.hs.Sign("x")->size(), 32u);
  EXPECT_EQ(k.rs.Sign("x")->size(), 256u);
  EXPECT_EQ(k.ed.Sign("x")->size(), 64u);
}

TEST(SigningKeyTest, PublicKeyVerifiesButCannotSign) {
  const Keys& k = TestKeys();
  EXPECT_FALSE(k.rs_public.can_sign());
  EXPECT_EQ(k.rs_public.Sign("data").status().code(), ErrorCode::kInvalidParameter);
  EXPECT_TRUE(k.rs_public.Verify("data", k.rs.Sign("data").value()));
  EXPECT_EQ(k.rs_public.ExportPrivate().status().code(), ErrorCode::kInvalidParameter);

  SigningKey ed_public =
      Must(SigningKey::FromPem(JwtAlgorithm::kEdDSA, k.ed.ExportPublicPem().value(), "e"));
  EXPECT_FALSE(ed_public.can_sign());
  EXPECT_TRUE(ed_public.Verify("data", k.ed.Sign("data").value()));
}

TEST(SigningKeyTest, ExportImportRoundTrip) {
  const Keys& k = TestKeys();
  for (const SigningKey* key : {&k.hs, &k.rs, &k.ed}) {
    SCOPED_TRACE(JwtAlgorithmName(key->algorithm()));
    std::string exported = key->ExportPrivate().value();
    if (key->algorithm() != JwtAlgorithm::kHS256) {
      EXPECT_EQ(exported.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
    }
    SigningKey imported = Must(SigningKey::Import(key->algorithm(), exported, "new"));
    EXPECT_EQ(imported.kid(), "new");
    EXPECT_EQ(imported.algorithm(), key->algorithm());
    EXPECT_TRUE(key->Verify("data", imported.Sign("data").value()));
    EXPECT_TRUE(imported.Verify("data", key->Sign("data").value()));
    EXPECT_EQ(imported.ExportPrivate().value(), exported);
  }
  // A public key is not an export.
  EXPECT_FALSE(SigningKey::Import(JwtAlgorithm::kRS256, k.rs.ExportPublicPem().value(), "").ok());
  EXPECT_FALSE(SigningKey::Import(JwtAlgorithm::kHS256, "not+base64url", "").ok());
}

TEST(SigningKeyTest, GeneratedHmacSecretComesFromRandom) {
  base::SeededRandom a(7);
  base::SeededRandom b(7);
  auto ka = SigningKey::Generate(JwtAlgorithm::kHS256, "", a);
  auto kb = SigningKey::Generate(JwtAlgorithm::kHS256, "", b);
  EXPECT_EQ(ka->ExportPrivate().value(), kb->ExportPrivate().value());
  EXPECT_EQ(Base64UrlDecode(ka->ExportPrivate().value())->size(), 64u);
}

TEST(SigningKeyTest, FromPemWithWrongKeyType) {
  const Keys& k = TestKeys();
  std::string rsa_pem = k.rs.ExportPrivate().value();
  std::string ed_pem = k.ed.ExportPrivate().value();
  EXPECT_EQ(SigningKey::FromPem(JwtAlgorithm::kEdDSA, rsa_pem, "").status().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(SigningKey::FromPem(JwtAlgorithm::kRS256, ed_pem, "").status().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(
      SigningKey::FromPem(JwtAlgorithm::kRS256, k.ed.ExportPublicPem().value(), "").status().code(),
      ErrorCode::kInvalidParameter);
  EXPECT_EQ(SigningKey::FromPem(JwtAlgorithm::kHS256, rsa_pem, "").status().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(SigningKey::FromPem(JwtAlgorithm::kRS256, "garbage", "").status().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_TRUE(SigningKey::FromPem(JwtAlgorithm::kRS256, rsa_pem, "").ok());
}

TEST(SigningKeyTest, FromPemRejectsSmallRsaKey) {
  EVP_PKEY* raw = EVP_RSA_gen(1024);
  ASSERT_NE(raw, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, raw, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(raw);
  EXPECT_EQ(SigningKey::FromPem(JwtAlgorithm::kRS256, pem, "").status().code(),
            ErrorCode::kInvalidParameter);
}

TEST(SigningKeyTest, CopiesShareTheKey) {
  SigningKey copy = TestKeys().ed;
  EXPECT_EQ(copy.kid(), "ed1");
  EXPECT_TRUE(TestKeys().ed.Verify("d", copy.Sign("d").value()));
}

TEST(SigningKeyTest, ConcurrentSignAndVerifyOnSharedKeys) {
  const Keys& k = TestKeys();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&k, &failures, t] {
      for (int i = 0; i < 10; ++i) {
        std::string data = "thread " + std::to_string(t) + " round " + std::to_string(i);
        for (const SigningKey* key : {&k.hs, &k.rs, &k.ed}) {
          auto sig = key->Sign(data);
          if (!sig.ok() || !key->Verify(data, *sig) || key->Verify(data + "x", *sig)) {
            ++failures[static_cast<std::size_t>(t)];
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

// --- JWT: round trips --------------------------------------------------------

TEST(JwtTest, RoundTripEachAlgorithm) {
  const Keys& k = TestKeys();
  for (const SigningKey* key : {&k.hs, &k.rs, &k.ed}) {
    SCOPED_TRACE(JwtAlgorithmName(key->algorithm()));
    std::string token = EncodeJwt(Payload(kNow + 60), *key).value();
    std::vector<SigningKey> keys{*key};
    auto verified = VerifyJwt(token, Options(keys, key->algorithm()));
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(verified->payload.Get("sub")->as_string(), "u1");
    EXPECT_EQ(verified->header.Get("alg")->as_string(), JwtAlgorithmName(key->algorithm()));
    EXPECT_EQ(verified->header.Get("typ")->as_string(), "JWT");
    EXPECT_EQ(verified->header.Has("kid"), !key->kid().empty());
  }
}

TEST(JwtTest, RsaPublicKeyVerifiesPrivateKeyToken) {
  const Keys& k = TestKeys();
  std::vector<SigningKey> keys{k.rs_public};
  std::string token = EncodeJwt(Payload(kNow + 60), k.rs).value();
  EXPECT_TRUE(VerifyJwt(token, Options(keys, JwtAlgorithm::kRS256)).ok());
}

TEST(JwtTest, HeaderLayout) {
  std::string token = EncodeJwt("{}", TestKeys().ed).value();
  std::string header = Base64UrlDecode(token.substr(0, token.find('.'))).value();
  EXPECT_EQ(header, R"({"alg":"EdDSA","kid":"ed1","typ":"JWT"})");
  token = EncodeJwt("{}", TestKeys().hs).value();
  header = Base64UrlDecode(token.substr(0, token.find('.'))).value();
  EXPECT_EQ(header, R"({"alg":"HS256","typ":"JWT"})");
}

// The unchecked encoder makes the very token the checking one makes.
TEST(JwtTest, EncodeOfWrittenJsonMatchesEncode) {
  const std::string payload = Payload(kNow + 60);
  for (const SigningKey* key : {&TestKeys().hs, &TestKeys().ed}) {
    EXPECT_EQ(EncodeJwtOfWrittenJson(payload, *key).value(), EncodeJwt(payload, *key).value());
  }
}

TEST(JwtTest, EncodeRejectsNonObjectPayload) {
  EXPECT_EQ(EncodeJwt("[1]", TestKeys().hs).status().code(), ErrorCode::kBadValue);
  EXPECT_EQ(EncodeJwt("{", TestKeys().hs).status().code(), ErrorCode::kBadValue);
}

TEST(JwtTest, KeySelectionWithoutKidTriesEachKey) {
  const Keys& k = TestKeys();
  std::vector<SigningKey> keys{k.hs_other, k.ed, k.hs};
  EXPECT_TRUE(VerifyJwt(HsToken(Payload(kNow + 1)), Options(keys, JwtAlgorithm::kHS256)).ok());
}

TEST(JwtTest, KeySelectionByKid) {
  SigningKey a = Must(SigningKey::Hmac(std::string(32, 'a'), "a"));
  SigningKey b = Must(SigningKey::Hmac(std::string(32, 'b'), "b"));
  std::vector<SigningKey> keys{a, b};
  EXPECT_TRUE(
      VerifyJwt(EncodeJwt(Payload(kNow + 1), b).value(), Options(keys, JwtAlgorithm::kHS256)).ok());
}

// --- JWT: rejections, one per case --------------------------------------------

TEST(JwtRejectTest, AlgNoneWithEmptySignature) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
                      Base64UrlEncode(Payload(kNow + 60)) + ".";
  ExpectRejected(token, Options(keys, JwtAlgorithm::kHS256), "invalid token: missing signature");
}

TEST(JwtRejectTest, AlgNoneWithSignature) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token = Craft(R"({"alg":"none","typ":"JWT"})", Payload(kNow + 60), TestKeys().hs);
  ExpectRejected(token, Options(keys, JwtAlgorithm::kHS256), "invalid token: unexpected algorithm");
}

TEST(JwtRejectTest, AlgorithmConfusionHmacWithRsaPublicKeyPem) {
  // The server verifies RS256 with an RSA public key. The attacker knows the
  // public PEM and uses its text as an HS256 secret.
  const Keys& k = TestKeys();
  std::vector<SigningKey> keys{k.rs_public};
  std::string public_pem = k.rs.ExportPublicPem().value();
  SigningKey forged = Must(SigningKey::Hmac(public_pem, ""));
  std::string token = Craft(kHsHeader, Payload(kNow + 60), forged);
  ExpectRejected(token, Options(keys, JwtAlgorithm::kRS256), "invalid token: unexpected algorithm");
  // Even with the header lying "RS256", the HMAC is not an RSA signature.
  std::string lying = Craft(R"({"alg":"RS256","typ":"JWT"})", Payload(kNow + 60), forged);
  ExpectRejected(lying, Options(keys, JwtAlgorithm::kRS256), "invalid token: signature mismatch");
}

TEST(JwtRejectTest, HeaderAlgDiffersFromConfigured) {
  const Keys& k = TestKeys();
  // Server configured HS256; a genuine RS256 token is refused by its header.
  std::vector<SigningKey> hs_keys{k.hs};
  std::string rs_token = EncodeJwt(Payload(kNow + 60), k.rs).value();
  ExpectRejected(rs_token, Options(hs_keys, JwtAlgorithm::kHS256),
                 "invalid token: unexpected algorithm");
  // Server configured RS256 (and holds an HS256 key too); an HS256 token fails.
  std::vector<SigningKey> mixed{k.rs, k.hs};
  ExpectRejected(HsToken(Payload(kNow + 60)), Options(mixed, JwtAlgorithm::kRS256),
                 "invalid token: unexpected algorithm");
  // Algorithm names are case-sensitive.
  std::string lower = Craft(R"({"alg":"hs256"})", Payload(kNow + 60), k.hs);
  ExpectRejected(lower, Options(hs_keys, JwtAlgorithm::kHS256),
                 "invalid token: unexpected algorithm");
}

TEST(JwtRejectTest, MissingAlg) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token = Craft(R"({"typ":"JWT"})", Payload(kNow + 60), TestKeys().hs);
  ExpectRejected(token, Options(keys, JwtAlgorithm::kHS256), "invalid token: unexpected algorithm");
}

TEST(JwtRejectTest, WrongKey) {
  std::vector<SigningKey> keys{TestKeys().hs_other};
  ExpectRejected(HsToken(Payload(kNow + 60)), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: signature mismatch");
}

TEST(JwtRejectTest, WrongKeySameKid) {
  SigningKey signer = Must(SigningKey::Hmac(std::string(32, 'a'), "k1"));
  SigningKey other = Must(SigningKey::Hmac(std::string(32, 'b'), "k1"));
  std::vector<SigningKey> keys{other};
  ExpectRejected(EncodeJwt(Payload(kNow + 60), signer).value(), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: signature mismatch");
}

TEST(JwtRejectTest, WrongEd25519Key) {
  base::SeededRandom random(1);
  SigningKey other = Must(SigningKey::Generate(JwtAlgorithm::kEdDSA, "ed1", random));
  std::vector<SigningKey> keys{other};
  ExpectRejected(EncodeJwt(Payload(kNow + 60), TestKeys().ed).value(),
                 Options(keys, JwtAlgorithm::kEdDSA), "invalid token: signature mismatch");
}

TEST(JwtRejectTest, UnknownKid) {
  SigningKey signer = Must(SigningKey::Hmac(std::string(32, 'a'), "other"));
  SigningKey known = Must(SigningKey::Hmac(std::string(32, 'a'), "k1"));
  std::vector<SigningKey> keys{known};
  ExpectRejected(EncodeJwt(Payload(kNow + 60), signer).value(), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: unknown key id");
}

TEST(JwtRejectTest, KidOfKeyWithOtherAlgorithm) {
  // "rs1" exists, but as an RS256 key; an HS256 token naming it is refused.
  const Keys& k = TestKeys();
  SigningKey signer = Must(SigningKey::Hmac(std::string(32, 'a'), "rs1"));
  std::vector<SigningKey> keys{k.rs, Must(SigningKey::Hmac(std::string(32, 'a'), "hs1"))};
  ExpectRejected(EncodeJwt(Payload(kNow + 60), signer).value(), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: unknown key id");
}

TEST(JwtRejectTest, NonStringKid) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token = Craft(R"({"alg":"HS256","kid":1})", Payload(kNow + 60), TestKeys().hs);
  ExpectRejected(token, Options(keys, JwtAlgorithm::kHS256), "invalid token: malformed kid");
}

TEST(JwtRejectTest, NoKeys) {
  std::vector<SigningKey> keys;
  ExpectRejected(HsToken(Payload(kNow + 60)), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: signature mismatch");
}

TEST(JwtRejectTest, Expired) {
  std::vector<SigningKey> keys{TestKeys().hs};
  ExpectRejected(HsToken(Payload(kNow - 1)), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: expired");
}

TEST(JwtRejectTest, ExactlyAtExp) {
  std::vector<SigningKey> keys{TestKeys().hs};
  ExpectRejected(HsToken(Payload(kNow)), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: expired");
  EXPECT_TRUE(VerifyJwt(HsToken(Payload(kNow + 1)), Options(keys, JwtAlgorithm::kHS256)).ok());
}

TEST(JwtRejectTest, NotYetValid) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string payload =
      R"({"exp":)" + std::to_string(kNow + 100) + R"(,"nbf":)" + std::to_string(kNow + 1) + "}";
  ExpectRejected(HsToken(payload), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: not yet valid");
  payload = R"({"exp":)" + std::to_string(kNow + 100) + R"(,"nbf":)" + std::to_string(kNow) + "}";
  EXPECT_TRUE(VerifyJwt(HsToken(payload), Options(keys, JwtAlgorithm::kHS256)).ok());
}

TEST(JwtRejectTest, LeewayHonoured) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  options.leeway_seconds = 30;
  // Expired 29 s ago: inside the leeway. Expired 30 s ago: outside.
  EXPECT_TRUE(VerifyJwt(HsToken(Payload(kNow - 29)), options).ok());
  ExpectRejected(HsToken(Payload(kNow - 30)), options, "invalid token: expired");
  // Valid from 30 s in the future: inside the leeway; 31 s: outside.
  std::string exp = R"({"exp":)" + std::to_string(kNow + 100);
  EXPECT_TRUE(
      VerifyJwt(HsToken(exp + R"(,"nbf":)" + std::to_string(kNow + 30) + "}"), options).ok());
  ExpectRejected(HsToken(exp + R"(,"nbf":)" + std::to_string(kNow + 31) + "}"), options,
                 "invalid token: not yet valid");
  // Negative leeway counts as zero.
  options.leeway_seconds = -100;
  EXPECT_TRUE(VerifyJwt(HsToken(Payload(kNow + 1)), options).ok());
}

TEST(JwtRejectTest, MissingExp) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  ExpectRejected(HsToken(R"({"sub":"u1"})"), options, "invalid token: missing exp");
  options.require_exp = false;
  EXPECT_TRUE(VerifyJwt(HsToken(R"({"sub":"u1"})"), options).ok());
}

TEST(JwtRejectTest, NonIntegerExp) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  const std::string exp = std::to_string(kNow + 60);
  ExpectRejected(HsToken(R"({"exp":")" + exp + R"("})"), options, "invalid token: malformed exp");
  ExpectRejected(HsToken(R"({"exp":)" + exp + ".5}"), options, "invalid token: malformed exp");
  // Beyond the double range the JSON parser already refuses the payload.
  ExpectRejected(HsToken(R"({"exp":1e400})"), options,
                 "invalid token: payload is not a JSON object");
  ExpectRejected(HsToken(R"({"exp":null})"), options, "invalid token: malformed exp");
  ExpectRejected(HsToken(R"({"exp":true})"), options, "invalid token: malformed exp");
  ExpectRejected(HsToken(R"({"exp":{"$numberDecimal":"1"}})"), options,
                 "invalid token: malformed exp");
  ExpectRejected(HsToken(R"({"exp":1e19})"), options, "invalid token: malformed exp");
  // Integral doubles and Int64 values are accepted.
  EXPECT_TRUE(VerifyJwt(HsToken(R"({"exp":)" + exp + ".0}"), options).ok());
  EXPECT_TRUE(VerifyJwt(HsToken(R"({"exp":9223372036854775807})"), options).ok());
}

TEST(JwtRejectTest, NonNumericIatOrNbf) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  const std::string head = R"({"exp":)" + std::to_string(kNow + 60);
  ExpectRejected(HsToken(head + R"(,"iat":"now"})"), options, "invalid token: malformed iat");
  ExpectRejected(HsToken(head + R"(,"iat":1.5})"), options, "invalid token: malformed iat");
  ExpectRejected(HsToken(head + R"(,"nbf":"x"})"), options, "invalid token: malformed nbf");
  EXPECT_TRUE(VerifyJwt(HsToken(head + R"(,"iat":)" + std::to_string(kNow) + "}"), options).ok());
}

TEST(JwtRejectTest, TwoSegments) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token = HsToken(Payload(kNow + 60));
  ExpectRejected(token.substr(0, token.rfind('.')), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: malformed");
  ExpectRejected("abc", Options(keys, JwtAlgorithm::kHS256), "invalid token: malformed");
  ExpectRejected("", Options(keys, JwtAlgorithm::kHS256), "invalid token: malformed");
}

TEST(JwtRejectTest, FourSegments) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token = HsToken(Payload(kNow + 60));
  ExpectRejected(token + ".", Options(keys, JwtAlgorithm::kHS256), "invalid token: malformed");
  ExpectRejected(token + ".AAAA", Options(keys, JwtAlgorithm::kHS256), "invalid token: malformed");
}

TEST(JwtRejectTest, EmptySignature) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token = HsToken(Payload(kNow + 60));
  ExpectRejected(token.substr(0, token.rfind('.') + 1), Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: missing signature");
  // Padding only decodes to nothing.
  ExpectRejected(token.substr(0, token.rfind('.') + 1) + "==", Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: signature is not base64url");
}

TEST(JwtRejectTest, InvalidBase64Url) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  std::string token = HsToken(Payload(kNow + 60));
  std::size_t first = token.find('.');
  std::size_t second = token.rfind('.');
  // Header with a standard-alphabet character.
  ExpectRejected("+" + token.substr(1), options, "invalid token: header is not base64url");
  // Signature with a bad character and with non-canonical trailing bits.
  std::string sig = token.substr(second + 1);
  ExpectRejected(token.substr(0, second + 1) + "*" + sig.substr(1), options,
                 "invalid token: signature is not base64url");
  // 32 bytes take 43 characters whose last one has 2 unused low bits;
  // flipping one gives a non-canonical encoding of the same bytes.
  ASSERT_EQ(sig.size(), 43u);
  static constexpr std::string_view kUrlAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string tweaked = sig;
  tweaked.back() = kUrlAlphabet[kUrlAlphabet.find(sig.back()) ^ 1];
  ExpectRejected(token.substr(0, second + 1) + tweaked, options,
                 "invalid token: signature is not base64url");
  // Payload that is not base64url, with a valid signature over the raw text.
  std::string input = token.substr(0, first) + ".e30*";
  std::string bad_payload = input + "." + Base64UrlEncode(TestKeys().hs.Sign(input).value());
  ExpectRejected(bad_payload, options, "invalid token: payload is not base64url");
}

TEST(JwtRejectTest, HeaderNotJson) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  ExpectRejected(Craft("not json", Payload(kNow + 60), TestKeys().hs), options,
                 "invalid token: header is not a JSON object");
  ExpectRejected(Craft(R"(["HS256"])", Payload(kNow + 60), TestKeys().hs), options,
                 "invalid token: header is not a JSON object");
  ExpectRejected(Craft("", Payload(kNow + 60), TestKeys().hs), options,
                 "invalid token: header is not a JSON object");
}

TEST(JwtRejectTest, PayloadIsArray) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  ExpectRejected(HsToken(R"([{"exp":9999999999}])"), options,
                 "invalid token: payload is not a JSON object");
  ExpectRejected(HsToken("42"), options, "invalid token: payload is not a JSON object");
}

TEST(JwtRejectTest, CritHeader) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token =
      Craft(R"({"alg":"HS256","crit":["exp"],"exp":1})", Payload(kNow + 60), TestKeys().hs);
  ExpectRejected(token, Options(keys, JwtAlgorithm::kHS256),
                 "invalid token: unsupported critical header");
}

TEST(JwtRejectTest, OversizedToken) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  std::string filler(kMaxJwtBytes, 'a');
  std::string token =
      HsToken(R"({"exp":)" + std::to_string(kNow + 60) + R"(,"f":")" + filler + R"("})");
  ASSERT_GT(token.size(), kMaxJwtBytes);
  ExpectRejected(token, options, "invalid token: too large");
  ExpectRejected(std::string(kMaxJwtBytes + 1, '.'), options, "invalid token: too large");
  // And EncodeJwt will not produce one.
  EXPECT_EQ(EncodeJwt(R"({"f":")" + filler + R"("})", TestKeys().hs).status().code(),
            ErrorCode::kInvalidParameter);
}

TEST(JwtRejectTest, AudienceMismatchAndMatch) {
  std::vector<SigningKey> keys{TestKeys().hs};
  JwtVerifyOptions options = Options(keys, JwtAlgorithm::kHS256);
  options.audiences = {"app-a", "app-b"};
  const std::string head = R"({"exp":)" + std::to_string(kNow + 60);
  // String aud.
  EXPECT_TRUE(VerifyJwt(HsToken(head + R"(,"aud":"app-b"})"), options).ok());
  ExpectRejected(HsToken(head + R"(,"aud":"app-c"})"), options, "invalid token: audience mismatch");
  // Array aud.
  EXPECT_TRUE(VerifyJwt(HsToken(head + R"(,"aud":["x","app-a"]})"), options).ok());
  ExpectRejected(HsToken(head + R"(,"aud":["x","y"]})"), options,
                 "invalid token: audience mismatch");
  ExpectRejected(HsToken(head + R"(,"aud":[]})"), options, "invalid token: audience mismatch");
  // Missing or malformed aud.
  ExpectRejected(HsToken(head + "}"), options, "invalid token: audience mismatch");
  ExpectRejected(HsToken(head + R"(,"aud":7})"), options, "invalid token: malformed aud");
  ExpectRejected(HsToken(head + R"(,"aud":["app-a",7]})"), options, "invalid token: malformed aud");
  // No audiences configured: aud is not looked at.
  options.audiences.clear();
  EXPECT_TRUE(VerifyJwt(HsToken(head + R"(,"aud":7})"), options).ok());
}

TEST(JwtRejectTest, TamperedPayload) {
  std::vector<SigningKey> keys{TestKeys().hs};
  std::string token = HsToken(Payload(kNow + 60));
  std::size_t first = token.find('.');
  std::size_t second = token.rfind('.');
  std::string forged =
      token.substr(0, first + 1) +
      Base64UrlEncode(R"({"sub":"admin","exp":)" + std::to_string(kNow + 60) + "}") +
      token.substr(second);
  ExpectRejected(forged, Options(keys, JwtAlgorithm::kHS256), "invalid token: signature mismatch");
}

// --- passwords ---------------------------------------------------------------

Argon2Params FastParams() {
  Argon2Params params;
  params.ops_limit = 1;
  params.mem_limit_bytes = crypto_pwhash_argon2id_MEMLIMIT_MIN;
  return params;
}

TEST(PasswordHashTest, DefaultsAreOwaspMinimum) {
  Argon2Params params;
  EXPECT_EQ(params.ops_limit, 2u);
  EXPECT_EQ(params.mem_limit_bytes, 19u * 1024 * 1024);
  EXPECT_TRUE(ValidateArgon2Params(params).ok());
}

TEST(PasswordHashTest, HashAndVerify) {
  std::string hash = HashPassword("correct horse", FastParams()).value();
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << hash;
  EXPECT_TRUE(VerifyPassword(hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(hash, "correct horsE"));
  EXPECT_FALSE(VerifyPassword(hash, ""));
  // Salts differ.
  EXPECT_NE(HashPassword("correct horse", FastParams()).value(), hash);
}

TEST(PasswordHashTest, EmptyPasswordHashes) {
  std::string hash = HashPassword("", FastParams()).value();
  EXPECT_TRUE(VerifyPassword(hash, ""));
  EXPECT_FALSE(VerifyPassword(hash, "x"));
}

TEST(PasswordHashTest, MalformedHashDoesNotVerify) {
  EXPECT_FALSE(VerifyPassword("", "pw"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "pw"));
  EXPECT_FALSE(VerifyPassword(std::string(1000, '$'), "pw"));
  std::string hash = HashPassword("pw", FastParams()).value();
  EXPECT_FALSE(VerifyPassword(hash + std::string(1, '\0'), "pw"));
}

TEST(PasswordHashTest, OutOfRangeParamsRejected) {
  Argon2Params params = FastParams();
  params.ops_limit = 0;
  EXPECT_EQ(HashPassword("pw", params).status().code(), ErrorCode::kInvalidParameter);
  params = FastParams();
  params.mem_limit_bytes = crypto_pwhash_argon2id_MEMLIMIT_MIN - 1;
  EXPECT_EQ(HashPassword("pw", params).status().code(), ErrorCode::kInvalidParameter);
  params = FastParams();
  params.ops_limit = std::uint64_t{crypto_pwhash_argon2id_OPSLIMIT_MAX} + 1;
  EXPECT_EQ(ValidateArgon2Params(params).code(), ErrorCode::kInvalidParameter);
  EXPECT_EQ(DummyPasswordHash(params).status().code(), ErrorCode::kInvalidParameter);
}

TEST(PasswordHashTest, DummyHashIsCachedAndMatchesNothingUseful) {
  std::string a = DummyPasswordHash(FastParams()).value();
  std::string b = DummyPasswordHash(FastParams()).value();
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u);
  EXPECT_FALSE(VerifyPassword(a, "anything"));
}

}  // namespace
}  // namespace plinth::crypto
