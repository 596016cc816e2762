#include "matcher/numbers.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "doc/decimal128.h"
#include "doc/ejson.h"
#include "matcher/matcher.h"

namespace plinth::matcher {
namespace {

doc::Value Dec(const char* text) { return doc::Value(*doc::Decimal128FromString(text)); }

TEST(NumbersTest, TruncatesTowardZero) {
  std::int64_t out = 0;
  EXPECT_EQ(TruncateToInt64(doc::Value(-1.9), &out), Truncation::kOk);
  EXPECT_EQ(out, -1);
  EXPECT_EQ(TruncateToInt64(Dec("12.9"), &out), Truncation::kOk);
  EXPECT_EQ(out, 12);
  EXPECT_EQ(TruncateToInt64(Dec("-9223372036854775808.7"), &out), Truncation::kOk);
  EXPECT_EQ(out, std::numeric_limits<std::int64_t>::min());
}

TEST(NumbersTest, ReportsWhatCannotBecomeAnInt64) {
  std::int64_t out = 0;
  EXPECT_EQ(TruncateToInt64(doc::Value(std::numeric_limits<double>::quiet_NaN()), &out),
            Truncation::kNotFinite);
  EXPECT_EQ(TruncateToInt64(Dec("-Infinity"), &out), Truncation::kNotFinite);
  EXPECT_EQ(TruncateToInt64(doc::Value(9223372036854775808.0), &out), Truncation::kOutOfRange);
  EXPECT_EQ(out, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(TruncateToInt64(Dec("-1E+30"), &out), Truncation::kOutOfRange);
  EXPECT_EQ(out, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(TruncateToInt64(doc::Value("1"), &out), Truncation::kNotNumber);
}

TEST(NumbersTest, ExactInt64NeedsAnIntegralValueInRange) {
  EXPECT_EQ(ExactInt64(doc::Value(4.0)), 4);
  EXPECT_EQ(ExactInt64(Dec("4.000")), 4);
  EXPECT_EQ(ExactInt64(doc::Value(-9223372036854775808.0)),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(ExactInt64(doc::Value(4.5)));
  EXPECT_FALSE(ExactInt64(Dec("4.5")));
  EXPECT_FALSE(ExactInt64(doc::Value(9223372036854775808.0)));
  EXPECT_FALSE(ExactInt64(Dec("NaN")));
}

// The one $mod case C++ cannot compute directly: INT64_MIN % -1 overflows.
TEST(NumbersTest, ModOfSmallestLongByMinusOne) {
  auto filter = doc::ParseJsonDocument(R"({"a": {"$mod": [-1, 0]}})");
  auto document = doc::ParseJsonDocument(R"({"a": {"$numberLong": "-9223372036854775808"}})");
  ASSERT_TRUE(filter.ok() && document.ok());
  auto matcher = Matcher::Parse(*filter);
  ASSERT_TRUE(matcher.ok()) << matcher.status().ToString();
  EXPECT_TRUE((*matcher)->Matches(*document));
}

}  // namespace
}  // namespace plinth::matcher
