#include "config/secrets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/temp_dir_for_test.h"

namespace plinth::config {
namespace {

using base::TempDirForTest;

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kValue[] = "hunter2-very-secret";

void WriteSecrets(const TempDirForTest& dir, const std::string& text, mode_t mode) {
  dir.Write("secrets.json", text);
  ::chmod(Secrets::FilePath(dir.path()).c_str(), mode);
}

TEST(SecretsTest, EnvVarName) {
  EXPECT_EQ(Secrets::EnvVarName("jwtKey"), "PLINTH_SECRET_JWTKEY");
  EXPECT_EQ(Secrets::EnvVarName("my-key_2"), "PLINTH_SECRET_MY_KEY_2");
}

TEST(SecretsTest, MissingFileMeansNoFileSecrets) {
  TempDirForTest dir;
  base::Result<Secrets> secrets = Secrets::Load(dir.path(), {});
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_TRUE(secrets->FileNames().empty());
  EXPECT_FALSE(secrets->Get("anything").has_value());
  base::Result<std::string> missing = secrets->Require("jwtKey");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("PLINTH_SECRET_JWTKEY"));
}

TEST(SecretsTest, OwnerOnlyFileLoads) {
  TempDirForTest dir;
  WriteSecrets(dir, std::string(R"({"jwtKey": ")") + kValue + R"(", "other": "x"})", 0600);
  base::Result<Secrets> secrets = Secrets::Load(dir.path(), {});
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_EQ(secrets->Get("jwtKey"), kValue);
  EXPECT_EQ(secrets->SourceOf("jwtKey"), Secrets::Source::kFile);
  EXPECT_EQ(secrets->FileNames(), (std::vector<std::string>{"jwtKey", "other"}));
}

TEST(SecretsTest, GroupOrOtherReadableFileIsRefused) {
  TempDirForTest dir;
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    WriteSecrets(dir, std::string(R"({"jwtKey": ")") + kValue + R"("})", mode);
    base::Result<Secrets> secrets = Secrets::Load(dir.path(), {});
    ASSERT_FALSE(secrets.ok()) << std::oct << mode;
    EXPECT_EQ(secrets.status().code(), base::ErrorCode::kInvalidConfig);
    EXPECT_THAT(secrets.status().message(), HasSubstr("chmod 600"));
    EXPECT_THAT(secrets.status().message(), Not(HasSubstr(kValue)));
  }
}

TEST(SecretsTest, EnvironmentOverridesAndSupplies) {
  TempDirForTest dir;
  WriteSecrets(dir, R"({"jwt-key": "from-file", "plain": "file-only"})", 0600);
  Secrets::Environment env = {{"PLINTH_SECRET_JWT_KEY", "from-env"},
                              {"PLINTH_SECRET_ONLYENV", "env-only"},
                              {"HOME", "/root"}};
  base::Result<Secrets> secrets = Secrets::Load(dir.path(), env);
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_EQ(secrets->Get("jwt-key"), "from-env");
  EXPECT_EQ(secrets->SourceOf("jwt-key"), Secrets::Source::kEnvironment);
  EXPECT_EQ(secrets->Get("plain"), "file-only");
  EXPECT_EQ(secrets->Get("onlyEnv"), "env-only");
  EXPECT_EQ(secrets->SourceOf("missing"), Secrets::Source::kNone);
  std::string listing = secrets->Describe({"jwt-key", "plain", "missing"});
  EXPECT_EQ(listing,
            "jwt-key (environment PLINTH_SECRET_JWT_KEY)\nplain (file)\nmissing (not set)");
}

TEST(SecretsTest, ErrorsNeverContainValues) {
  TempDirForTest dir;
  // Malformed JSON right after a value: the parser's own message would quote it.
  WriteSecrets(dir, std::string(R"({"jwtKey": ")") + kValue + R"(" "x": 1})", 0600);
  base::Result<Secrets> secrets = Secrets::Load(dir.path(), {});
  ASSERT_FALSE(secrets.ok());
  EXPECT_THAT(secrets.status().message(), Not(HasSubstr(kValue)));
  EXPECT_THAT(secrets.status().message(), Not(HasSubstr("hunter2")));

  WriteSecrets(dir, R"({"jwtKey": 12345678})", 0600);
  secrets = Secrets::Load(dir.path(), {});
  ASSERT_FALSE(secrets.ok());
  EXPECT_THAT(secrets.status().message(), HasSubstr("\"jwtKey\" must be a string"));
  EXPECT_THAT(secrets.status().message(), Not(HasSubstr("12345678")));

  Secrets empty;
  base::Status bad = empty.Set("jwtKey", std::string("\xff\xfe") + kValue);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), Not(HasSubstr(kValue)));
}

TEST(SecretsTest, SaveWritesOwnerOnlyFileAtomically) {
  TempDirForTest dir;
  const std::filesystem::path data = dir.path() / "data";
  Secrets secrets;
  ASSERT_TRUE(secrets.Set("jwtKey", kValue).ok());
  ASSERT_TRUE(secrets.Set("quote", "a\"b\\c\nd").ok());
  EXPECT_FALSE(secrets.Set("bad name", "x").ok());
  ASSERT_TRUE(secrets.Save(data).ok());

  struct stat st {};
  ASSERT_EQ(::stat(Secrets::FilePath(data).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::error_code ec;
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(data, ec)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);  // no temporary file left behind

  base::Result<Secrets> loaded = Secrets::Load(data, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->Get("jwtKey"), kValue);
  EXPECT_EQ(loaded->Get("quote"), "a\"b\\c\nd");

  ASSERT_TRUE(loaded->Remove("quote"));
  EXPECT_FALSE(loaded->Remove("quote"));
  ASSERT_TRUE(loaded->Save(data).ok());
  base::Result<Secrets> again = Secrets::Load(data, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->FileNames(), (std::vector<std::string>{"jwtKey"}));
}

}  // namespace
}  // namespace plinth::config
