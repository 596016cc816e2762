#include "storage/sqlite/key_encoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "doc/compare.h"
#include "doc/decimal128.h"

namespace plinth::storage::sqlite {
namespace {

using doc::Value;

int Sign(int v) { return (v > 0) - (v < 0); }

doc::Decimal128 Dec(const char* text) { return doc::Decimal128FromString(text).value(); }

Value RandomNumber(std::mt19937_64& rng) {
  static const std::vector<double> kDoubles = {0.0,
                                               -0.0,
                                               1.0,
                                               -1.0,
                                               0.5,
                                               1e-300,
                                               -2.5,
                                               1e300,
                                               9007199254740992.0,
                                               0.1,
                                               3.14159,
                                               -1e-5,
                                               std::numeric_limits<double>::infinity(),
                                               -std::numeric_limits<double>::infinity(),
                                               std::nan(""),
                                               4.9e-324,
                                               1.7976931348623157e308};
  static const std::vector<const char*> kDecimals = {"1",
                                                     "1.00",
                                                     "-0",
                                                     "0.1",
                                                     "1E+3",
                                                     "-2.5",
                                                     "NaN",
                                                     "Infinity",
                                                     "-Infinity",
                                                     "9007199254740993",
                                                     "1E-6000",
                                                     "1.5E+6000",
                                                     "0.30000000000000000000000000000001"};
  switch (rng() % 6) {
    case 0:
      return static_cast<std::int32_t>(static_cast<int>(rng() % 2001) - 1000);
    case 1: {
      static const std::vector<std::int64_t> kInts = {0,
                                                      1,
                                                      -1,
                                                      (1LL << 53),
                                                      (1LL << 53) + 1,
                                                      -(1LL << 53) - 1,
                                                      std::numeric_limits<std::int64_t>::max(),
                                                      std::numeric_limits<std::int64_t>::min()};
      if (rng() % 2) return kInts[rng() % kInts.size()];
      return static_cast<std::int64_t>(rng());
    }
    case 2:
      return kDoubles[rng() % kDoubles.size()];
    case 3: {
      std::uniform_real_distribution<double> dist(-1000, 1000);
      double d = dist(rng);
      if (rng() % 2) d = std::round(d);
      return d;
    }
    case 4:
      return Dec(kDecimals[rng() % kDecimals.size()]);
    default:
      return doc::Decimal128FromInt64(static_cast<std::int64_t>(rng() % 2001) - 1000);
  }
}

Value RandomValue(std::mt19937_64& rng, int depth) {
  switch (rng() % (depth > 2 ? 12 : 14)) {
    case 0:
      return doc::Null{};
    case 1:
      return doc::MinKey{};
    case 2:
      return doc::MaxKey{};
    case 3: {
      static const std::vector<std::string> kStrings = {
          "", "a", "ab", "b", std::string("a\0b", 3), std::string("a\0", 2), "\xff", "abc"};
      return kStrings[rng() % kStrings.size()];
    }
    case 4:
      return static_cast<bool>(rng() % 2);
    case 5:
      return doc::DateTime{static_cast<std::int64_t>(rng() % 2001) - 1000};
    case 6: {
      std::array<std::uint8_t, 12> b{};
      b[static_cast<std::size_t>(rng() % 12)] = static_cast<std::uint8_t>(rng() % 3);
      return doc::ObjectId(b);
    }
    case 7:
      return doc::Binary{static_cast<std::uint8_t>(rng() % 2), std::string(rng() % 3, 'x')};
    case 8:
      return doc::Timestamp{static_cast<std::uint32_t>(rng() % 3),
                            static_cast<std::uint32_t>(rng() % 3)};
    case 9:
      return doc::Undefined{};
    case 10:
    case 11:
      return RandomNumber(rng);
    case 12: {
      doc::Array a;
      const auto n = rng() % 3;
      for (std::size_t i = 0; i < n; ++i) a.Append(RandomValue(rng, depth + 1));
      return a;
    }
    default: {
      doc::Document d;
      const auto n = rng() % 3;
      static const char* kNames[] = {"a", "b", "ab", ""};
      for (std::size_t i = 0; i < n; ++i) d.Append(kNames[rng() % 4], RandomValue(rng, depth + 1));
      return d;
    }
  }
}

int KeyOrder(const std::string& a, const std::string& b) { return Sign(a.compare(b)); }

TEST(KeyEncodingTest, RandomPairsMatchCompare) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 40000; ++i) {
    const Value a = RandomValue(rng, 0);
    const Value b = RandomValue(rng, 0);
    const int expected = doc::Compare(a, b);
    const std::string ka = EncodeKey(a);
    const std::string kb = EncodeKey(b);
    ASSERT_EQ(KeyOrder(ka, kb), expected) << i;
    std::string da, db;
    AppendKeyComponent(&da, a, true);
    AppendKeyComponent(&db, b, true);
    ASSERT_EQ(KeyOrder(da, db), -expected) << i;
  }
}

TEST(KeyEncodingTest, RandomNumbersMatchCompare) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 40000; ++i) {
    const Value a = RandomNumber(rng);
    const Value b = RandomNumber(rng);
    ASSERT_EQ(KeyOrder(EncodeKey(a), EncodeKey(b)), doc::Compare(a, b)) << i;
  }
}

TEST(KeyEncodingTest, EqualNumbersEncodeEqual) {
  const std::string one = EncodeKey(Value(std::int32_t{1}));
  EXPECT_EQ(one, EncodeKey(Value(std::int64_t{1})));
  EXPECT_EQ(one, EncodeKey(Value(1.0)));
  EXPECT_EQ(one, EncodeKey(Value(Dec("1.00"))));
  EXPECT_EQ(one, EncodeKey(Value(Dec("0.01E+2"))));
  EXPECT_EQ(EncodeKey(Value(0.0)), EncodeKey(Value(-0.0)));
  EXPECT_EQ(EncodeKey(Value(0.0)), EncodeKey(Value(Dec("-0E-10"))));
  EXPECT_EQ(EncodeKey(Value(std::nan(""))), EncodeKey(Value(Dec("NaN"))));
  EXPECT_EQ(EncodeKey(Value(0.5)), EncodeKey(Value(Dec("0.5000"))));
}

TEST(KeyEncodingTest, LargeIntegersDoNotCollide) {
  const Value big = std::int64_t{(1LL << 53) + 1};
  const Value dbl = 9007199254740992.0;
  EXPECT_NE(EncodeKey(big), EncodeKey(dbl));
  EXPECT_GT(EncodeKey(big), EncodeKey(dbl));
  EXPECT_EQ(EncodeKey(Value(std::int64_t{1LL << 53})), EncodeKey(dbl));
  EXPECT_LT(EncodeKey(Value(std::numeric_limits<std::int64_t>::max())),
            EncodeKey(Value(9223372036854775808.0)));
}

TEST(KeyEncodingTest, CompoundKeysAndMultikey) {
  doc::Document d{{"a", doc::Array{Value(1), Value(2), Value(1)}}, {"b", "x"}};
  std::vector<KeyField> fields{{doc::FieldPath::Parse("a").value(), false},
                               {doc::FieldPath::Parse("b").value(), true}};
  auto keys = IndexKeys(d, fields);
  ASSERT_TRUE(keys.ok());
  // [1,2,1] itself, 1 and 2.
  EXPECT_EQ(keys->size(), 3u);
  std::string k1;
  AppendKeyComponent(&k1, Value(1.0), false);
  AppendKeyComponent(&k1, Value("x"), true);
  EXPECT_NE(std::find(keys->begin(), keys->end(), k1), keys->end());

  auto missing = IndexKeys(doc::Document{}, fields);
  ASSERT_TRUE(missing.ok());
  std::string null_key;
  AppendKeyComponent(&null_key, Value(), false);
  AppendKeyComponent(&null_key, Value(), true);
  EXPECT_EQ(*missing, std::vector<std::string>{null_key});
}

TEST(KeyEncodingTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff", 1)), "");
}

}  // namespace
}  // namespace plinth::storage::sqlite
