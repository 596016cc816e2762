#include "doc/compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

#include "doc/decimal128.h"
#include "doc/test_printers.h"

namespace plinth::doc {
namespace {

Decimal128 Dec(std::string_view s) { return *Decimal128FromString(s); }
ObjectId Oid(std::string_view hex) { return *ObjectId::FromHex(hex); }
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kTwo53 = std::int64_t{1} << 53;

void ExpectLess(const Value& a, const Value& b) {
  EXPECT_EQ(Compare(a, b), -1) << ToCanonicalJson(a) << " < " << ToCanonicalJson(b);
  EXPECT_EQ(Compare(b, a), 1) << ToCanonicalJson(b) << " > " << ToCanonicalJson(a);
  EXPECT_FALSE(ValuesEqual(a, b));
}

void ExpectEqual(const Value& a, const Value& b) {
  EXPECT_EQ(Compare(a, b), 0) << ToCanonicalJson(a) << " == " << ToCanonicalJson(b);
  EXPECT_EQ(Compare(b, a), 0) << ToCanonicalJson(b) << " == " << ToCanonicalJson(a);
  EXPECT_TRUE(ValuesEqual(a, b));
}

TEST(CompareTest, CrossTypeOrder) {
  // One value per rank, in MongoDB's order; values chosen to tempt a
  // comparison by value (a huge number before an empty string, ...).
  const std::vector<Value> ordered = {
      MinKey{},
      Undefined{},
      Null{},
      1e300,
      "",
      Document{},
      Array{},
      Binary{0, ""},
      Oid("000000000000000000000000"),
      false,
      DateTime{std::numeric_limits<std::int64_t>::min()},
      Timestamp{0, 0},
      Regex{"", ""},
      JavaScriptCode{""},
      MaxKey{},
  };
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    for (std::size_t j = 0; j < ordered.size(); ++j) {
      const int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Compare(ordered[i], ordered[j]), expected)
          << ToCanonicalJson(ordered[i]) << " vs " << ToCanonicalJson(ordered[j]);
    }
  }
  EXPECT_LT(CanonicalTypeRank(Type::kUndefined), CanonicalTypeRank(Type::kNull));
  EXPECT_EQ(CanonicalTypeRank(Type::kInt32), CanonicalTypeRank(Type::kDecimal128));
}

TEST(CompareTest, NumbersCompareByExactValueAcrossTypes) {
  // Equal values of different types.
  ExpectEqual(std::int32_t{1}, 1.0);
  ExpectEqual(std::int32_t{1}, std::int64_t{1});
  ExpectEqual(std::int64_t{1}, Dec("1.00"));
  ExpectEqual(1.0, Dec("1"));
  ExpectEqual(Dec("1.0"), Dec("1.000"));
  ExpectEqual(-0.0, 0.0);
  ExpectEqual(-0.0, std::int32_t{0});
  ExpectEqual(Dec("-0"), 0.0);
  ExpectEqual(Dec("-0E+5"), std::int64_t{0});
  ExpectEqual(std::int64_t{kTwo53}, static_cast<double>(kTwo53));
  ExpectEqual(0.5, Dec("0.5"));
  ExpectEqual(kInf, Dec("Infinity"));
  ExpectEqual(-kInf, Dec("-Infinity"));
  ExpectEqual(std::numeric_limits<std::int64_t>::max(), Dec("9223372036854775807"));
  ExpectEqual(std::numeric_limits<std::int64_t>::min(), -9223372036854775808.0);

  // 2^53 + 1 has no double; nearby doubles must not collide with it.
  ExpectLess(static_cast<double>(kTwo53), std::int64_t{kTwo53 + 1});
  ExpectLess(std::int64_t{kTwo53 + 1}, static_cast<double>(kTwo53 + 2));
  ExpectLess(-static_cast<double>(kTwo53 + 2), std::int64_t{-kTwo53 - 1});
  ExpectLess(std::numeric_limits<std::int64_t>::max(), 9223372036854775808.0);
  ExpectLess(-9223372036854777856.0, std::numeric_limits<std::int64_t>::min());
  ExpectLess(Dec("9223372036854775807"), Dec("9223372036854775808"));
  ExpectLess(std::numeric_limits<std::int64_t>::max(), Dec("9223372036854775808"));

  // Fractions against integers.
  ExpectLess(std::numeric_limits<std::int32_t>::max(), 2147483647.5);
  ExpectLess(2147483646.5, std::numeric_limits<std::int32_t>::max());
  ExpectLess(std::int64_t{-2}, -1.5);
  ExpectLess(-1.5, std::int64_t{-1});
  ExpectLess(std::int32_t{1}, Dec("1.0000000000000000000000000000001"));
  ExpectLess(Dec("-1E-6176"), std::int32_t{0});

  // Decimal against double, exactly: 0.1 as a double is
  // 0.1000000000000000055511151231257827021181583404541015625.
  ExpectLess(Dec("0.1"), 0.1);
  ExpectLess(Dec("0.1000000000000000055511151231257827"), 0.1);
  ExpectLess(0.1, Dec("0.1000000000000000055511151231257828"));
  ExpectLess(std::numeric_limits<double>::max(), Dec("1E+400"));
  ExpectLess(Dec("1E-400"), std::numeric_limits<double>::denorm_min());
  ExpectLess(Dec("-Infinity"), -std::numeric_limits<double>::max());

  // Infinities.
  ExpectLess(std::numeric_limits<std::int64_t>::max(), kInf);
  ExpectLess(-kInf, std::numeric_limits<std::int64_t>::min());
}

TEST(CompareTest, NanSortsFirstAndEqualsNan) {
  ExpectEqual(kNan, kNan);
  ExpectEqual(kNan, -kNan);
  ExpectEqual(kNan, Dec("NaN"));
  ExpectEqual(Dec("NaN"), Dec("-NaN"));
  for (const Value& v : std::vector<Value>{-kInf, Dec("-Infinity"), std::int32_t{-5},
                                           std::numeric_limits<std::int64_t>::min(), 0.0}) {
    ExpectLess(kNan, v);
    ExpectLess(Dec("NaN"), v);
  }
  ExpectLess(Null{}, kNan);  // still a number
}

TEST(CompareTest, WithinOtherTypes) {
  ExpectLess("a", "b");
  ExpectLess("B", "a");  // bytes, not case-folded
  ExpectLess("a", "ab");
  ExpectLess("z", "\xC3\xA9");  // UTF-8 bytes above ASCII
  ExpectLess(std::string("a\0a", 3), "aa");
  ExpectLess(Binary{0x80, "a"}, Binary{0, "aa"});  // length first
  ExpectLess(Binary{0, "b"}, Binary{1, "a"});      // then subtype
  ExpectLess(Binary{0, "a"}, Binary{0, "\xff"});   // then unsigned bytes
  ExpectLess(Oid("00000000000000000000000f"), Oid("ff0000000000000000000000"));
  ExpectLess(false, true);
  ExpectLess(DateTime{-1}, DateTime{0});
  ExpectLess(Timestamp{1, 5}, Timestamp{2, 0});
  ExpectLess(Timestamp{2, 0}, Timestamp{2, 1});
  ExpectLess(Timestamp{0x7fffffff, 0}, Timestamp{0x80000000u, 0});
  ExpectLess(Regex{"a", "z"}, Regex{"b", ""});
  ExpectLess(Regex{"a", "i"}, Regex{"a", "m"});
  ExpectLess(JavaScriptCode{"a"}, JavaScriptCode{"b"});
  ExpectEqual(Null{}, Null{});
  ExpectEqual(MinKey{}, MinKey{});
}

TEST(CompareTest, DocumentsAndArrays) {
  ExpectLess(Document{{"a", std::int32_t{1}}}, Document{{"a", std::int32_t{2}}});
  ExpectEqual(Document{{"a", std::int32_t{1}}}, Document{{"a", 1.0}});
  ExpectLess(Document{{"a", std::int32_t{1}}}, Document{{"b", std::int32_t{0}}});
  // MongoDB compares a field's type before its name: a string sorts after a
  // number even under an earlier name.
  ExpectLess(Document{{"b", std::int32_t{1}}}, Document{{"a", "x"}});
  ExpectLess(Document{}, Document{{"a", MinKey{}}});
  ExpectLess(Document{{"a", std::int32_t{1}}},
             Document{{"a", std::int32_t{1}}, {"b", std::int32_t{1}}});
  ExpectLess(Document{{"a", Document{{"x", std::int32_t{1}}}}},
             Document{{"a", Document{{"x", std::int32_t{2}}}}});
  EXPECT_EQ(CompareDocuments(Document{{"a", std::int64_t{3}}}, Document{{"a", 3.0}}), 0);

  ExpectLess(Array{std::int32_t{1}, std::int32_t{2}}, Array{std::int32_t{1}, std::int32_t{3}});
  ExpectLess(Array{std::int32_t{1}}, Array{std::int32_t{1}, std::int32_t{0}});
  ExpectLess(Array{}, Array{MinKey{}});
  ExpectEqual(Array{std::int32_t{1}, Null{}}, Array{1.0, Null{}});
  ExpectLess(Array{std::int32_t{5}}, Array{"a"});
}

TEST(CompareTest, ValuesEqualIsNumericOperatorEqualsIsExact) {
  const Value one_int = std::int32_t{1};
  const Value one_double = 1.0;
  EXPECT_TRUE(ValuesEqual(one_int, one_double));
  EXPECT_FALSE(one_int == one_double);
  const Value doc_a = Document{{"x", std::int64_t{1}}};
  const Value doc_b = Document{{"x", Dec("1.0")}};
  EXPECT_TRUE(ValuesEqual(doc_a, doc_b));
  EXPECT_FALSE(doc_a == doc_b);
}

// A pool mixing every type and the numeric edge cases, for order properties.
std::vector<Value> Pool() {
  return {MinKey{},
          MaxKey{},
          Undefined{},
          Null{},
          kNan,
          Dec("NaN"),
          -kInf,
          Dec("-Infinity"),
          std::numeric_limits<std::int64_t>::min(),
          -9223372036854775808.0,
          std::int32_t{-1},
          -0.5,
          Dec("-0.5"),
          -0.0,
          std::int32_t{0},
          Dec("0E-10"),
          0.1,
          Dec("0.1"),
          std::int32_t{1},
          std::int64_t{1},
          1.0,
          Dec("1.00"),
          std::numeric_limits<std::int32_t>::max(),
          2147483647.5,
          static_cast<double>(kTwo53),
          std::int64_t{kTwo53},
          std::int64_t{kTwo53 + 1},
          static_cast<double>(kTwo53 + 2),
          std::numeric_limits<std::int64_t>::max(),
          9223372036854775808.0,
          Dec("9223372036854775808"),
          kInf,
          Dec("Infinity"),
          "",
          "a",
          "ab",
          "b",
          Document{},
          Document{{"a", std::int32_t{1}}},
          Document{{"a", 1.0}},
          Document{{"a", "x"}},
          Document{{"b", std::int32_t{0}}},
          Array{},
          Array{std::int32_t{1}},
          Array{std::int32_t{1}, std::int32_t{2}},
          Binary{0, "a"},
          Binary{1, "a"},
          Binary{0, "ab"},
          Oid("5f0c1d6e7a8b9c0d1e2f3a4b"),
          false,
          true,
          DateTime{-1},
          DateTime{0},
          Timestamp{1, 1},
          Regex{"a", "i"},
          JavaScriptCode{"x"}};
}

TEST(CompareTest, IsATotalOrderOnThePool) {
  const std::vector<Value> pool = Pool();
  for (const Value& a : pool) {
    EXPECT_EQ(Compare(a, a), 0) << ToCanonicalJson(a);
    for (const Value& b : pool) {
      ASSERT_EQ(Compare(a, b), -Compare(b, a)) << ToCanonicalJson(a) << " " << ToCanonicalJson(b);
      for (const Value& c : pool) {
        if (Compare(a, b) <= 0 && Compare(b, c) <= 0) {
          ASSERT_LE(Compare(a, c), 0)
              << ToCanonicalJson(a) << " " << ToCanonicalJson(b) << " " << ToCanonicalJson(c);
        }
      }
    }
  }
}

TEST(CompareTest, SortingAShuffledPoolIsStable) {
  std::vector<Value> sorted = Pool();
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
  std::vector<Value> shuffled = Pool();
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  std::sort(shuffled.begin(), shuffled.end(),
            [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
  ASSERT_EQ(sorted.size(), shuffled.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(Compare(sorted[i], shuffled[i]), 0) << i;
  }
  EXPECT_EQ(sorted.front().type(), Type::kMinKey);
  EXPECT_EQ(sorted.back().type(), Type::kMaxKey);
}

}  // namespace
}  // namespace plinth::doc
