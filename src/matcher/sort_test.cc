#include "matcher/sort.h"

#include <gtest/gtest.h>

#include "doc/ejson.h"
#include "doc/test_printers.h"

namespace plinth::matcher {
namespace {

doc::Document Json(std::string_view text) { return *doc::ParseJsonDocument(text); }

TEST(SortSpecTest, ParsesDirections) {
  auto spec = SortSpec::Parse(Json(R"({"a": 1, "b.c": -1.0, "d": {"$numberLong": "-1"}})"));
  ASSERT_TRUE(spec.ok());
  ASSERT_EQ(spec->keys().size(), 3u);
  EXPECT_EQ(spec->keys()[1].second, -1);
  EXPECT_TRUE(SortSpec::Parse({})->empty());
  auto bad = SortSpec::Parse(Json(R"({"a": 2})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "$sort key ordering must be 1 (for ascending) or -1 (for descending)");
  EXPECT_FALSE(SortSpec::Parse(Json(R"({"a": {"$meta": "textScore"}})")).ok());
  EXPECT_FALSE(SortSpec::Parse(Json(R"({"a": "asc"})")).ok());
}

TEST(SortSpecTest, ArraysMissingAndEmpty) {
  auto asc = *SortSpec::Parse(Json(R"({"a": 1})"));
  auto desc = *SortSpec::Parse(Json(R"({"a": -1})"));
  doc::Document arr = Json(R"({"a": [5, 1]})");
  doc::Document two = Json(R"({"a": 2})");
  EXPECT_LT(asc.Compare(arr, two), 0);   // min 1 < 2
  EXPECT_LT(desc.Compare(arr, two), 0);  // max 5 > 2, descending first
  doc::Document missing = Json(R"({"b": 1})");
  doc::Document null = Json(R"({"a": null})");
  doc::Document empty = Json(R"({"a": []})");
  EXPECT_EQ(asc.Compare(missing, null), 0);
  EXPECT_LT(asc.Compare(empty, null), 0);
  EXPECT_LT(asc.Compare(null, two), 0);
}

}  // namespace
}  // namespace plinth::matcher
