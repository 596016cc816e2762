#include "matcher/projection.h"

#include <gtest/gtest.h>

#include "doc/ejson.h"
#include "doc/test_printers.h"

namespace plinth::matcher {
namespace {

doc::Document Json(std::string_view text) { return *doc::ParseJsonDocument(text); }

doc::Document Apply(std::string_view spec, std::string_view document) {
  auto p = Projection::Parse(Json(spec));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? p->Apply(Json(document)) : doc::Document{};
}

TEST(ProjectionTest, Inclusion) {
  EXPECT_EQ(Apply(R"({"b": 1})", R"({"_id": 1, "a": 1, "b": 2})"), Json(R"({"_id": 1, "b": 2})"));
  EXPECT_EQ(Apply(R"({"b": 1, "_id": 0})", R"({"_id": 1, "a": 1, "b": 2})"), Json(R"({"b": 2})"));
  EXPECT_EQ(
      Apply(R"({"a.b": 1})", R"({"_id": 1, "a": [{"b": 1, "c": 2}, 3, {"c": 4}, [{"b": 5}]]})"),
      Json(R"({"_id": 1, "a": [{"b": 1}, {}, [{"b": 5}]]})"));
  EXPECT_EQ(Apply(R"({"a": {"b": true}})", R"({"_id": 1, "a": {"b": 1, "c": 2}})"),
            Json(R"({"_id": 1, "a": {"b": 1}})"));
  EXPECT_EQ(Apply(R"({"a.b": 1})", R"({"_id": 1, "a": 5})"), Json(R"({"_id": 1})"));
}

TEST(ProjectionTest, Exclusion) {
  EXPECT_EQ(Apply(R"({"a": 0})", R"({"_id": 1, "a": 1, "b": 2})"), Json(R"({"_id": 1, "b": 2})"));
  EXPECT_EQ(Apply(R"({"_id": 0})", R"({"_id": 1, "a": 1})"), Json(R"({"a": 1})"));
  EXPECT_EQ(Apply(R"({"a.b": 0})", R"({"_id": 1, "a": [{"b": 1, "c": 2}, 3]})"),
            Json(R"({"_id": 1, "a": [{"c": 2}, 3]})"));
}

TEST(ProjectionTest, Errors) {
  auto mixed = Projection::Parse(Json(R"({"a": 1, "b": 0})"));
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().message(), "Cannot do exclusion on field b in inclusion projection");
  auto mixed2 = Projection::Parse(Json(R"({"a": 0, "b": 1})"));
  EXPECT_EQ(mixed2.status().message(), "Cannot do inclusion on field b in exclusion projection");
  EXPECT_FALSE(Projection::Parse(Json(R"({"a": 1, "a.b": 1})")).ok());
  EXPECT_FALSE(Projection::Parse(Json(R"({"a.b": 1, "a": 1})")).ok());
  EXPECT_FALSE(Projection::Parse(Json(R"({"a": {"$meta": "textScore"}})")).ok());
  EXPECT_FALSE(Projection::Parse(Json(R"({"a.$": 1})")).ok());
  EXPECT_FALSE(Projection::Parse(Json(R"({"a": "x"})")).ok());
  EXPECT_TRUE(Projection::Parse(Json(R"({"_id": 0, "a": 1})")).ok());
  EXPECT_TRUE(Projection::Parse(Json(R"({"_id": 1, "a": 0})")).ok());
}

}  // namespace
}  // namespace plinth::matcher
