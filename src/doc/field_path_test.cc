#include "doc/field_path.h"

#include <gtest/gtest.h>

#include "doc/ejson.h"
#include "doc/test_printers.h"

namespace plinth::doc {
namespace {

using base::ErrorCode;

FieldPath Path(std::string_view dotted) {
  auto p = FieldPath::Parse(dotted);
  EXPECT_TRUE(p.ok()) << dotted << ": " << p.status().ToString();
  return *p;
}

Document Doc(std::string_view json) {
  auto d = ParseJsonDocument(json);
  EXPECT_TRUE(d.ok()) << json << ": " << d.status().ToString();
  return d.ok() ? *d : Document{};
}

std::string Collect(std::string_view json, std::string_view path) {
  Document d = Doc(json);
  std::vector<const Value*> out;
  CollectPathValues(d, Path(path), &out);
  Array values;
  for (const Value* v : out) values.Append(*v);
  return ToRelaxedJson(Value(values));
}

TEST(FieldPathTest, ParsesComponents) {
  FieldPath p = Path("a.b.0.c");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0], "a");
  EXPECT_EQ(p[2], "0");
  EXPECT_EQ(p.ToString(), "a.b.0.c");
  EXPECT_EQ(Path("x").size(), 1u);
  EXPECT_EQ(Path("a.$id").size(), 2u);  // DBRef fields are allowed
  EXPECT_EQ(Path("$ref").size(), 1u);
  EXPECT_EQ(Path("a b.c-d").size(), 2u);
}

TEST(FieldPathTest, RejectsInvalidPaths) {
  for (std::string_view bad : {"", ".", "a.", ".a", "a..b", "$a", "a.$b", "a.$", "a.$[]"}) {
    auto p = FieldPath::Parse(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), ErrorCode::kBadValue);
  }
  EXPECT_FALSE(FieldPath::Parse(std::string_view("a\0b", 3)).ok());

  std::string longest = "a";
  for (int i = 1; i < 200; ++i) longest += ".a";
  EXPECT_EQ(Path(longest).size(), 200u);
  auto too_long = FieldPath::Parse(longest + ".a");
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("200"), std::string::npos);
}

TEST(FieldPathTest, UpdatePathsAllowPositionalComponents) {
  for (std::string_view ok : {"a.$.b", "a.$[].b", "a.$[elem].b", "a.$[e1]", "$"}) {
    EXPECT_TRUE(FieldPath::ParseForUpdate(ok).ok()) << ok;
  }
  for (std::string_view bad : {"a.$[Elem]", "a.$[1e]", "a.$[]x", "a.$x", "a.$[e-1]", "a..b"}) {
    EXPECT_FALSE(FieldPath::ParseForUpdate(bad).ok()) << bad;
  }
}

TEST(FieldPathTest, ArrayIndexOf) {
  EXPECT_EQ(ArrayIndexOf("0"), 0u);
  EXPECT_EQ(ArrayIndexOf("12"), 12u);
  EXPECT_EQ(ArrayIndexOf("999999999999999999"), 999999999999999999u);
  for (std::string_view no : {"", "01", "-1", "1a", "+1", " 1", "9999999999999999999"}) {
    EXPECT_FALSE(ArrayIndexOf(no).has_value()) << no;
  }
}

TEST(FieldPathTest, GetPathWalksDocumentsAndIndexes) {
  Document d = Doc(R"({"a":{"b":[{"c":1},{"c":2}],"n":null},"x":5,"x2":[[7]]})");
  EXPECT_EQ(*GetPath(d, Path("x")), Value(std::int32_t{5}));
  EXPECT_EQ(*GetPath(d, Path("a.b.1.c")), Value(std::int32_t{2}));
  EXPECT_EQ(*GetPath(d, Path("x2.0.0")), Value(std::int32_t{7}));
  EXPECT_TRUE(GetPath(d, Path("a.n"))->is_null());
  EXPECT_EQ(GetPath(d, Path("a.b.c")), nullptr);  // no implicit array traversal
  EXPECT_EQ(GetPath(d, Path("a.b.2.c")), nullptr);
  EXPECT_EQ(GetPath(d, Path("a.b.01.c")), nullptr);
  EXPECT_EQ(GetPath(d, Path("x.y")), nullptr);
  EXPECT_EQ(GetPath(d, Path("missing")), nullptr);
  EXPECT_EQ(GetPath(d, Path("a.n.z")), nullptr);
}

TEST(FieldPathTest, CollectPathValuesDescendsIntoArrays) {
  EXPECT_EQ(Collect(R"({"a":[{"b":1},{"b":2},{"c":3},5]})", "a.b"), "[1,2]");
  EXPECT_EQ(Collect(R"({"a":[{"b":1},{"b":2}]})", "a.1.b"), "[2]");
  // A numeric component reaches the element and same-named fields.
  EXPECT_EQ(Collect(R"({"a":[{"1":{"b":9}},{"b":2}]})", "a.1.b"), "[2,9]");
  EXPECT_EQ(Collect(R"({"a":[{"b":[{"c":1},{"c":2}]},{"b":{"c":3}}]})", "a.b.c"), "[1,2,3]");
  // Arrays directly inside arrays are entered only through an index.
  EXPECT_EQ(Collect(R"({"a":[[{"b":1}]]})", "a.b"), "[]");
  EXPECT_EQ(Collect(R"({"a":[[{"b":1}]]})", "a.0.b"), "[1]");
  // Terminal arrays come back whole.
  EXPECT_EQ(Collect(R"({"a":{"b":[1,2]}})", "a.b"), "[[1,2]]");
  EXPECT_EQ(Collect(R"({"a":[{"b":[1]},{"b":2}]})", "a.b"), "[[1],2]");
  EXPECT_EQ(Collect(R"({"a":1})", "a.b"), "[]");
  EXPECT_EQ(Collect(R"({"a":null})", "a"), "[null]");
  EXPECT_EQ(Collect(R"({})", "a"), "[]");
}

TEST(FieldPathTest, SetPathCreatesIntermediates) {
  Document d;
  ASSERT_TRUE(SetPath(&d, Path("a.b.c"), std::int32_t{1}).ok());
  EXPECT_EQ(ToRelaxedJson(d), R"({"a":{"b":{"c":1}}})");
  ASSERT_TRUE(SetPath(&d, Path("a.b.c"), "x").ok());
  ASSERT_TRUE(SetPath(&d, Path("a.d"), true).ok());
  EXPECT_EQ(ToRelaxedJson(d), R"({"a":{"b":{"c":"x"},"d":true}})");
}

TEST(FieldPathTest, SetPathIntoArrays) {
  Document d = Doc(R"({"a":[1,2],"e":[],"o":[{"x":1}]})");
  ASSERT_TRUE(SetPath(&d, Path("a.1"), "x").ok());
  ASSERT_TRUE(SetPath(&d, Path("a.4"), "y").ok());
  ASSERT_TRUE(SetPath(&d, Path("e.2.b"), std::int32_t{1}).ok());
  ASSERT_TRUE(SetPath(&d, Path("o.0.y"), std::int32_t{2}).ok());
  EXPECT_EQ(ToRelaxedJson(d),
            R"({"a":[1,"x",null,null,"y"],"e":[null,null,{"b":1}],"o":[{"x":1,"y":2}]})");
}

TEST(FieldPathTest, SetPathErrorsLeaveTheDocumentUnchanged) {
  const Document original = Doc(R"({"a":5,"arr":[1,null],"s":"str"})");
  struct Case {
    const char* path;
    ErrorCode code;
  };
  for (const Case& c :
       {Case{"a.b", ErrorCode::kTypeMismatch}, Case{"a.b.c", ErrorCode::kTypeMismatch},
        Case{"s.0", ErrorCode::kTypeMismatch}, Case{"arr.x", ErrorCode::kTypeMismatch},
        Case{"arr.0.b", ErrorCode::kTypeMismatch}, Case{"arr.1.b", ErrorCode::kTypeMismatch},
        Case{"arr.99999999", ErrorCode::kBadValue}}) {
    Document d = original;
    base::Status s = SetPath(&d, Path(c.path), std::int32_t{1});
    EXPECT_EQ(s.code(), c.code) << c.path << ": " << s.ToString();
    EXPECT_EQ(d, original) << c.path;
  }
  Document d = original;
  base::Status s = SetPath(&d, Path("a.b"), std::int32_t{1});
  EXPECT_NE(s.message().find("\"b\""), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("int"), std::string::npos) << s.message();
}

TEST(FieldPathTest, RemovePath) {
  Document d = Doc(R"({"a":{"b":1,"c":2},"arr":[1,2,3],"x":1})");
  EXPECT_TRUE(RemovePath(&d, Path("a.b")));
  EXPECT_FALSE(RemovePath(&d, Path("a.b")));
  EXPECT_TRUE(RemovePath(&d, Path("arr.1")));  // $unset leaves a null hole
  EXPECT_FALSE(RemovePath(&d, Path("arr.5")));
  EXPECT_FALSE(RemovePath(&d, Path("arr.y")));
  EXPECT_FALSE(RemovePath(&d, Path("x.y")));
  EXPECT_FALSE(RemovePath(&d, Path("missing.y")));
  EXPECT_TRUE(RemovePath(&d, Path("x")));
  EXPECT_EQ(ToRelaxedJson(d), R"({"a":{"c":2},"arr":[1,null,3]})");

  Document dup;
  dup.Append("k", std::int32_t{1});
  dup.Append("k", std::int32_t{2});
  EXPECT_TRUE(RemovePath(&dup, Path("k")));
  EXPECT_TRUE(dup.empty());
}

}  // namespace
}  // namespace plinth::doc
