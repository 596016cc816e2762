// Unit tests of update/: parsing, each operator, ordering, errors. The case
// corpus (tests/cases/update/*.json) is run by update_corpus_test.cc.
#include "update/update.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "doc/decimal128.h"
#include "doc/ejson.h"
#include "doc/test_printers.h"
#include "expr/arithmetic.h"
#include "matcher/matcher.h"

namespace plinth::update {
namespace {

using base::ErrorCode;
using doc::Document;
using doc::Value;
using expr::Arithmetic;
using expr::ArithmeticOp;

Document J(std::string_view json) {
  base::Result<Document> d = doc::ParseJsonDocument(json);
  EXPECT_TRUE(d.ok()) << d.status().ToString() << " in " << json;
  return d.ok() ? *d : Document{};
}

// Applies `update` to `before`; returns the status and leaves the result in *after.
base::Result<bool> RunUpdate(std::string_view before, std::string_view update, Document* after,
                             ApplyContext context = {}) {
  base::Result<std::shared_ptr<const Update>> u = Update::Parse(J(update));
  if (!u.ok()) return u.status();
  *after = J(before);
  return (*u)->Apply(after, context);
}

// Expects `update` on `before` to give `expected` exactly (types included).
void ExpectUpdate(std::string_view before, std::string_view update, std::string_view expected,
                  bool modified = true) {
  Document after;
  base::Result<bool> r = RunUpdate(before, update, &after);
  ASSERT_TRUE(r.ok()) << r.status().ToString() << " for " << update;
  EXPECT_EQ(*r, modified) << update;
  EXPECT_EQ(doc::ToCanonicalJson(after), doc::ToCanonicalJson(J(expected))) << update;
}

// Expects an error with `code` whose message contains `text`; the document unchanged.
void ExpectApplyError(std::string_view before, std::string_view update, ErrorCode code,
                      std::string_view text) {
  Document after;
  base::Result<bool> r = RunUpdate(before, update, &after);
  ASSERT_FALSE(r.ok()) << update;
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().ToString();
  EXPECT_EQ(after, J(before));
}

void ExpectParseError(std::string_view update, ErrorCode code, std::string_view text) {
  base::Result<std::shared_ptr<const Update>> u = Update::Parse(J(update));
  ASSERT_FALSE(u.ok()) << update;
  EXPECT_EQ(u.status().code(), code) << u.status().ToString();
  EXPECT_NE(u.status().message().find(text), std::string::npos) << u.status().ToString();
}

TEST(UpdateParse, RejectsMalformedDocuments) {
  ExpectParseError("{}", ErrorCode::kFailedToParse, "requires atomic operators");
  ExpectParseError(R"({"a": 1})", ErrorCode::kFailedToParse, "requires atomic operators");
  ExpectParseError(R"({"$set": {"a": 1}, "b": 1})", ErrorCode::kFailedToParse,
                   "Unknown modifier: b");
  ExpectParseError(R"({"$foo": {"a": 1}})", ErrorCode::kFailedToParse, "Unknown modifier: $foo");
  ExpectParseError(R"({"$set": 1})", ErrorCode::kFailedToParse, "Modifiers operate on fields");
  ExpectParseError(R"({"$set": {"": 1}})", ErrorCode::kBadValue, "empty update path");
  ExpectParseError(R"({"$set": {"a..b": 1}})", ErrorCode::kBadValue, "empty field name");
  ExpectParseError(R"({"$set": {"a.$.b.$": 1}})", ErrorCode::kBadValue, "Too many positional");
  ExpectParseError(R"({"$set": {"$.a": 1}})", ErrorCode::kBadValue, "first position");
  ExpectParseError(R"({"$set": {"$[].a": 1}})", ErrorCode::kBadValue, "first position");
  ExpectParseError(R"({"$set": {"a.$[x]": 1}})", ErrorCode::kBadValue,
                   "No array filter found for identifier 'x' in path 'a.$[x]'");
  ExpectParseError(R"({"$rename": {"a.$": "b"}})", ErrorCode::kBadValue, "may not be dynamic");
  ExpectParseError(R"({"$rename": {"a": "b.$[]"}})", ErrorCode::kBadValue, "may not be dynamic");
  ExpectParseError(R"({"$inc": {"a": "x"}})", ErrorCode::kTypeMismatch,
                   "Cannot increment with non-numeric argument");
  ExpectParseError(R"({"$mul": {"a": null}})", ErrorCode::kTypeMismatch,
                   "Cannot multiply with non-numeric argument");
  ExpectParseError(R"({"$pop": {"a": 2}})", ErrorCode::kBadValue, "$pop expects 1 or -1");
  ExpectParseError(R"({"$pop": {"a": "x"}})", ErrorCode::kBadValue, "Expected a number");
  ExpectParseError(R"({"$pullAll": {"a": 1}})", ErrorCode::kBadValue, "requires an array");
  ExpectParseError(R"({"$push": {"a": {"$each": 1}}})", ErrorCode::kBadValue, "$each");
  ExpectParseError(R"({"$push": {"a": {"$each": [], "$sort": 2}}})", ErrorCode::kBadValue,
                   "The $sort is invalid");
  ExpectParseError(R"({"$bit": {"a": {"not": 1}}})", ErrorCode::kBadValue,
                   "only supports 'and', 'or', and 'xor'");
  ExpectParseError(R"({"$push": {"a": {"$each": [], "$x": 1}}})", ErrorCode::kBadValue,
                   "Unrecognized clause in $push: $x");
  ExpectParseError(R"({"$push": {"a": {"$each": [], "$slice": "1"}}})", ErrorCode::kBadValue,
                   "$slice must be an integer");
  ExpectParseError(R"({"$push": {"a": {"$each": [], "$position": 1.5}}})", ErrorCode::kBadValue,
                   "$position must be an integer");
  ExpectParseError(R"({"$addToSet": {"a": {"$each": 1}}})", ErrorCode::kBadValue, "$each");
  ExpectParseError(R"({"$currentDate": {"a": 1}})", ErrorCode::kBadValue, "$currentDate");
  ExpectParseError(R"({"$currentDate": {"a": {"$type": "x"}}})", ErrorCode::kBadValue,
                   "'date' or 'timestamp'");
  ExpectParseError(R"({"$rename": {"a": 1}})", ErrorCode::kBadValue, "must be a string");
  ExpectParseError(R"({"$rename": {"a": "a"}})", ErrorCode::kBadValue, "must differ");
  ExpectParseError(R"({"$rename": {"a": "a.b"}})", ErrorCode::kBadValue, "same path");
}

TEST(UpdateParse, DetectsConflicts) {
  ExpectParseError(R"({"$set": {"a": 1}, "$inc": {"a.b": 1}})",
                   ErrorCode::kConflictingUpdateOperators,
                   "Updating the path 'a.b' would create a conflict at 'a'");
  ExpectParseError(R"({"$set": {"a": 1}, "$inc": {"a": 1}})",
                   ErrorCode::kConflictingUpdateOperators,
                   "Updating the path 'a' would create a conflict at 'a'");
  ExpectParseError(R"({"$set": {"a.b": 1}, "$unset": {"a": 1}})",
                   ErrorCode::kConflictingUpdateOperators,
                   "Updating the path 'a' would create a conflict at 'a'");
  ExpectParseError(R"({"$rename": {"a": "b"}, "$set": {"b.c": 1}})",
                   ErrorCode::kConflictingUpdateOperators, "conflict at 'b'");
  // Siblings and names sharing a prefix of characters are fine.
  EXPECT_TRUE(Update::Parse(J(R"({"$set": {"a.b": 1, "a.c": 1, "ab": 1}})")).ok());
  EXPECT_TRUE(Update::Parse(J(R"({"$set": {}})")).ok());
}

TEST(UpdateApply, PositionalNeedsTheMatchedIndex) {
  ApplyContext at1;
  at1.positional_index = 1;
  Document after;
  base::Result<bool> r = RunUpdate(R"({"a": [1, 2, 3]})", R"({"$set": {"a.$": 9}})", &after, at1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(after, J(R"({"a": [1, 9, 3]})"));
  ExpectApplyError(R"({"a": [1, 2]})", R"({"$set": {"a.$": 9}})", ErrorCode::kBadValue,
                   "The positional operator did not find the match needed from the query.");
}

TEST(UpdateApply, AllPositionalAndArrayFilters) {
  ExpectUpdate(R"({"a": [{"b": 1}, {"b": 2}]})", R"({"$inc": {"a.$[].b": 1}})",
               R"({"a": [{"b": 2}, {"b": 3}]})");
  ExpectUpdate(R"({"a": [[1, 2], [3]]})", R"({"$set": {"a.$[].$[]": 0}})",
               R"({"a": [[0, 0], [0]]})");
  ExpectApplyError(R"({"a": 1})", R"({"$set": {"a.$[]": 0}})", ErrorCode::kBadValue,
                   "Cannot apply array updates to non-array element");
  ExpectApplyError(R"({"b": 1})", R"({"$set": {"a.$[]": 0}})", ErrorCode::kBadValue,
                   "The path 'a' must exist in the document in order to apply array updates.");
  ExpectApplyError(R"({"a": [1, 2]})", R"({"$set": {"a.$[]": 0, "a.1": 5}})",
                   ErrorCode::kConflictingUpdateOperators, "Update created a conflict at 'a.1'");

  auto u = Update::Parse(J(R"({"$set": {"a.$[x]": 0}})"), {J(R"({"x": {"$gt": 1}})")});
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  Document d = J(R"({"a": [1, 2, 3]})");
  ASSERT_TRUE((*u)->Apply(&d, {}).ok());
  EXPECT_EQ(d, J(R"({"a": [1, 0, 0]})"));

  auto unused = Update::Parse(J(R"({"$set": {"a.$[]": 0}})"), {J(R"({"x": 1})")});
  ASSERT_FALSE(unused.ok());
  EXPECT_EQ(unused.status().code(), ErrorCode::kFailedToParse);
  auto bad = Update::Parse(J(R"({"$set": {"a.$[X]": 0}})"), {J(R"({"X": 1})")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kBadValue);
  auto two = Update::Parse(J(R"({"$set": {"a.$[x]": 0}})"), {J(R"({"x": 1})"), J(R"({"x.b": 1})")});
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().code(), ErrorCode::kFailedToParse);
}

TEST(UpdateApply, PushSortAndBit) {
  ExpectUpdate(R"({"a": [3, 1, 2]})",
               R"({"$push": {"a": {"$each": [0], "$sort": 1, "$slice": 3}}})",
               R"({"a": [0, 1, 2]})");
  ExpectUpdate(R"({"a": [{"k": 2}, {"k": 1}]})",
               R"({"$push": {"a": {"$each": [], "$sort": {"k": 1}}}})",
               R"({"a": [{"k": 1}, {"k": 2}]})");
  ExpectUpdate(R"({"a": 13})", R"({"$bit": {"a": {"and": 10}}})", R"({"a": 8})");
  ExpectUpdate(R"({"a": 13})", R"({"$bit": {"a": {"or": {"$numberLong": "2"}}}})",
               R"({"a": {"$numberLong": "15"}})");
  ExpectUpdate(R"({})", R"({"$bit": {"a": {"xor": 5}}})", R"({"a": 5})");
  ExpectApplyError(R"({"a": 1.5})", R"({"$bit": {"a": {"and": 1}}})", ErrorCode::kBadValue,
                   "non-integral");
}

TEST(UpdateApply, SetAndOrdering) {
  ExpectUpdate(R"({"_id": 1})", R"({"$set": {"b": 1, "a": 2}})", R"({"_id": 1, "a": 2, "b": 1})");
  ExpectUpdate(R"({"_id": 1})", R"({"$set": {"x.10": 1, "x.9": 2}})",
               R"({"_id": 1, "x": {"9": 2, "10": 1}})");
  ExpectUpdate(R"({"_id": 1, "a": {"b": 1}})", R"({"$set": {"a.c.d": 1}})",
               R"({"_id": 1, "a": {"b": 1, "c": {"d": 1}}})");
  ExpectUpdate(R"({"_id": 1, "a": [1]})", R"({"$set": {"a.3": 5}})",
               R"({"_id": 1, "a": [1, null, null, 5]})");
  ExpectUpdate(R"({"_id": 1, "a": 1})", R"({"$set": {"a": 1}})", R"({"_id": 1, "a": 1})", false);
  // A change of numeric type is a change.
  ExpectUpdate(R"({"_id": 1, "a": 1})", R"({"$set": {"a": 1.0}})", R"({"_id": 1, "a": 1.0})");
  ExpectApplyError(R"({"_id": 1, "a": 1})", R"({"$set": {"a.b": 1}})", ErrorCode::kPathNotViable,
                   "Cannot create field 'b' in element {a: 1}");
  ExpectApplyError(R"({"_id": 1, "a": [1]})", R"({"$set": {"a.b": 1}})", ErrorCode::kPathNotViable,
                   "Cannot create field 'b'");
}

TEST(UpdateApply, IdIsImmutable) {
  ExpectApplyError(R"({"_id": 1})", R"({"$set": {"_id": 2}})", ErrorCode::kImmutableField,
                   "immutable field '_id'");
  ExpectApplyError(R"({"_id": {"a": 1}})", R"({"$set": {"_id.a": 2}})", ErrorCode::kImmutableField,
                   "immutable");
  ExpectApplyError(R"({"_id": 1})", R"({"$unset": {"_id": 1}})", ErrorCode::kImmutableField,
                   "immutable");
  ExpectUpdate(R"({"_id": 1})", R"({"$set": {"_id": 1}})", R"({"_id": 1})", false);
}

TEST(UpdateApply, Unset) {
  ExpectUpdate(R"({"_id": 1, "a": 1, "b": 2})", R"({"$unset": {"a": ""}})",
               R"({"_id": 1, "b": 2})");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2]})", R"({"$unset": {"a.0": 1}})",
               R"({"_id": 1, "a": [null, 2]})");
  ExpectUpdate(R"({"_id": 1, "a": 1})", R"({"$unset": {"a.b": 1, "c": 1}})",
               R"({"_id": 1, "a": 1})", false);
}

TEST(UpdateApply, IncAndMulPromotion) {
  ExpectUpdate(R"({"_id": 1, "a": 1})", R"({"$inc": {"a": 2}})", R"({"_id": 1, "a": 3})");
  ExpectUpdate(R"({"_id": 1, "a": 2147483647})", R"({"$inc": {"a": 1}})",
               R"({"_id": 1, "a": {"$numberLong": "2147483648"}})");
  ExpectUpdate(R"({"_id": 1, "a": 1})", R"({"$inc": {"a": 0.5}})", R"({"_id": 1, "a": 1.5})");
  ExpectUpdate(R"({"_id": 1, "a": {"$numberLong": "5"}})", R"({"$inc": {"a": 1}})",
               R"({"_id": 1, "a": {"$numberLong": "6"}})");
  ExpectUpdate(R"({"_id": 1})", R"({"$inc": {"a": {"$numberLong": "5"}}})",
               R"({"_id": 1, "a": {"$numberLong": "5"}})");
  ExpectUpdate(R"({"_id": 1})", R"({"$mul": {"a": 2.5}})", R"({"_id": 1, "a": 0.0})");
  ExpectUpdate(R"({"_id": 1, "a": 65536})", R"({"$mul": {"a": 65536}})",
               R"({"_id": 1, "a": {"$numberLong": "4294967296"}})");
  ExpectUpdate(R"({"_id": 1, "a": {"$numberDecimal": "1.5"}})", R"({"$inc": {"a": 1}})",
               R"({"_id": 1, "a": {"$numberDecimal": "2.5"}})");
  ExpectUpdate(R"({"_id": 1, "a": 5})", R"({"$inc": {"a": 0}})", R"({"_id": 1, "a": 5})", false);
  ExpectApplyError(R"({"_id": 1, "a": {"$numberLong": "9223372036854775807"}})",
                   R"({"$inc": {"a": 1}})", ErrorCode::kBadValue, "Failed to apply $inc");
  ExpectApplyError(R"({"_id": 1, "a": "x"})", R"({"$inc": {"a": 1}})", ErrorCode::kTypeMismatch,
                   "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'a' "
                   "of non-numeric type string");
  ExpectApplyError(R"({"_id": 1, "a": null})", R"({"$mul": {"a": 1}})", ErrorCode::kTypeMismatch,
                   "non-numeric type null");
}

TEST(Arithmetic, DecimalFromDoubleRoundsTo15Digits) {
  std::optional<Value> r =
      Arithmetic(Value(*doc::Decimal128FromString("0")), Value(0.1), ArithmeticOp::kAdd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(doc::CompareDecimal128(r->as_decimal128(), *doc::Decimal128FromString("0.1")), 0);
  EXPECT_FALSE(Arithmetic(Value(std::numeric_limits<std::int64_t>::min()), Value(std::int32_t{-1}),
                          ArithmeticOp::kMultiply)
                   .has_value());
}

TEST(UpdateApply, MinMax) {
  ExpectUpdate(R"({"_id": 1, "a": 5})", R"({"$min": {"a": 3}})", R"({"_id": 1, "a": 3})");
  ExpectUpdate(R"({"_id": 1, "a": 5})", R"({"$min": {"a": 7}})", R"({"_id": 1, "a": 5})", false);
  ExpectUpdate(R"({"_id": 1, "a": 5})", R"({"$max": {"a": 7}})", R"({"_id": 1, "a": 7})");
  ExpectUpdate(R"({"_id": 1, "a": 5})", R"({"$max": {"a": 5.0}})", R"({"_id": 1, "a": 5})", false);
  ExpectUpdate(R"({"_id": 1, "a": 5})", R"({"$max": {"a": "x"}})", R"({"_id": 1, "a": "x"})");
  ExpectUpdate(R"({"_id": 1})", R"({"$min": {"a": 1}})", R"({"_id": 1, "a": 1})");
}

TEST(UpdateApply, Rename) {
  ExpectUpdate(R"({"_id": 1, "a": 1, "b": 2})", R"({"$rename": {"a": "c"}})",
               R"({"_id": 1, "b": 2, "c": 1})");
  ExpectUpdate(R"({"_id": 1, "a": 1, "b": 2, "c": 3})", R"({"$rename": {"a": "b"}})",
               R"({"_id": 1, "c": 3, "b": 1})");
  ExpectUpdate(R"({"_id": 1, "a": {"b": 1}})", R"({"$rename": {"a.b": "c.d"}})",
               R"({"_id": 1, "a": {}, "c": {"d": 1}})");
  ExpectUpdate(R"({"_id": 1, "b": 2})", R"({"$rename": {"a": "b"}})", R"({"_id": 1, "b": 2})",
               false);
  ExpectApplyError(R"({"_id": 1, "a": [{"b": 1}]})", R"({"$rename": {"a.0.b": "c"}})",
                   ErrorCode::kBadValue, "The source field cannot be an array element");
  ExpectApplyError(R"({"_id": 1, "a": 1, "c": [1]})", R"({"$rename": {"a": "c.0"}})",
                   ErrorCode::kBadValue, "The destination field cannot be an array element");
  ExpectApplyError(R"({"_id": 1, "a": 1})", R"({"$rename": {"_id": "b"}})",
                   ErrorCode::kImmutableField, "immutable");
}

TEST(UpdateApply, SetOnInsertAndCurrentDate) {
  ExpectUpdate(R"({"_id": 1})", R"({"$setOnInsert": {"a": 1}})", R"({"_id": 1})", false);
  Document after;
  ApplyContext insert;
  insert.is_upsert_insert = true;
  insert.now_millis = 1700000000123;
  ASSERT_TRUE(
      RunUpdate(
          R"({"_id": 1})",
          R"({"$setOnInsert": {"a": 1}, "$currentDate": {"d": true, "t": {"$type": "timestamp"}, "e": {"$type": "date"}}})",
          &after, insert)
          .ok());
  EXPECT_EQ(after, (Document{{"_id", std::int32_t{1}},
                             {"a", std::int32_t{1}},
                             {"d", doc::DateTime{1700000000123}},
                             {"e", doc::DateTime{1700000000123}},
                             {"t", doc::Timestamp{1700000000, 1}}}));
}

TEST(UpdateApply, Push) {
  ExpectUpdate(R"({"_id": 1, "a": [1]})", R"({"$push": {"a": 2}})", R"({"_id": 1, "a": [1, 2]})");
  ExpectUpdate(R"({"_id": 1, "a": [1]})", R"({"$push": {"a": [2]}})",
               R"({"_id": 1, "a": [1, [2]]})");
  ExpectUpdate(R"({"_id": 1})", R"({"$push": {"a": {"$each": [1, 2]}}})",
               R"({"_id": 1, "a": [1, 2]})");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2, 3]})",
               R"({"$push": {"a": {"$each": [9], "$position": 1}}})",
               R"({"_id": 1, "a": [1, 9, 2, 3]})");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2, 3]})",
               R"({"$push": {"a": {"$each": [9], "$position": -1}}})",
               R"({"_id": 1, "a": [1, 2, 9, 3]})");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2, 3]})", R"({"$push": {"a": {"$each": [4], "$slice": -2}}})",
               R"({"_id": 1, "a": [3, 4]})");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2, 3]})", R"({"$push": {"a": {"$each": [], "$slice": 0}}})",
               R"({"_id": 1, "a": []})");
  ExpectApplyError(R"({"_id": 1, "a": 1})", R"({"$push": {"a": 2}})", ErrorCode::kBadValue,
                   "The field 'a' must be an array but is of type int in document {_id: 1}");
}

TEST(UpdateApply, AddToSetPopPull) {
  ExpectUpdate(R"({"_id": 1, "a": [1, 2]})", R"({"$addToSet": {"a": 2.0}})",
               R"({"_id": 1, "a": [1, 2]})", false);
  ExpectUpdate(R"({"_id": 1, "a": [1]})", R"({"$addToSet": {"a": {"$each": [2, 2, 3]}}})",
               R"({"_id": 1, "a": [1, 2, 3]})");
  ExpectApplyError(R"({"_id": 1, "a": 1})", R"({"$addToSet": {"a": 2}})", ErrorCode::kBadValue,
                   "Cannot apply $addToSet to non-array field");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2, 3]})", R"({"$pop": {"a": 1}})",
               R"({"_id": 1, "a": [1, 2]})");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2, 3]})", R"({"$pop": {"a": -1}})",
               R"({"_id": 1, "a": [2, 3]})");
  ExpectUpdate(R"({"_id": 1})", R"({"$pop": {"a": 1}})", R"({"_id": 1})", false);
  ExpectApplyError(R"({"_id": 1, "a": 1})", R"({"$pop": {"a": 1}})", ErrorCode::kBadValue,
                   "non-array type");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2, 1.0, 3]})", R"({"$pull": {"a": 1}})",
               R"({"_id": 1, "a": [2, 3]})");
  ExpectUpdate(R"({"_id": 1, "a": [[1], [1, 2]]})", R"({"$pull": {"a": [1]}})",
               R"({"_id": 1, "a": [[1, 2]]})");
  ExpectUpdate(R"({"_id": 1, "a": [1, 2, 3, 1]})", R"({"$pullAll": {"a": [1, 3]}})",
               R"({"_id": 1, "a": [2]})");
  ExpectApplyError(R"({"_id": 1, "a": 1})", R"({"$pull": {"a": 1}})", ErrorCode::kBadValue,
                   "Cannot apply $pull to a non-array value");
}

TEST(UpdateApply, PullWithConditions) {
  ExpectUpdate(R"({"_id": 1, "a": [1, 5, 6, 9]})", R"({"$pull": {"a": {"$gte": 6}}})",
               R"({"_id": 1, "a": [1, 5]})");
  ExpectUpdate(R"({"_id": 1, "a": [{"b": 1, "c": 2}, {"b": 2}, 1]})",
               R"({"$pull": {"a": {"b": 1}}})", R"({"_id": 1, "a": [{"b": 2}, 1]})");
  ExpectUpdate(R"({"_id": 1, "a": ["x", "y", 1]})", R"({"$pull": {"a": {"$in": ["x", 1]}}})",
               R"({"_id": 1, "a": ["y"]})");
}

TEST(UpdateApply, Limits) {
  // A path 101 levels deep breaks the depth limit.
  std::string path = "a";
  for (int i = 0; i < 100; ++i) path += ".a";
  ExpectApplyError(R"({"_id": 1})", "{\"$set\": {\"" + path + "\": 1}}",
                   ErrorCode::kDepthLimitExceeded, "");
  Document big{{"_id", std::int32_t{1}}};
  auto u = Update::Parse(Document{{"$set", Document{{"s", std::string(17 * 1024 * 1024, 'x')}}}});
  ASSERT_TRUE(u.ok());
  base::Result<bool> r = (*u)->Apply(&big, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSizeLimitExceeded);
  EXPECT_EQ(big.size(), 1u);
}

TEST(Replacement, KeepsIdAndRefusesOperators) {
  auto r = Update::ParseReplacement(J(R"({"$set": {"a": 1}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kBadValue);
  EXPECT_FALSE(Update::ParseReplacement(J(R"({"_id": [1]})")).ok());
  auto u = Update::ParseReplacement(J(R"({"b": 2, "c": {"$x": 1, "d.e": 2}})"));
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_TRUE((*u)->is_replacement());
  Document d = J(R"({"_id": 1, "a": 1})");
  ASSERT_TRUE((*u)->Apply(&d, {}).ok());
  EXPECT_EQ(d, J(R"({"_id": 1, "b": 2, "c": {"$x": 1, "d.e": 2}})"));
  EXPECT_FALSE(*(*u)->Apply(&d, {}));
  auto other = Update::ParseReplacement(J(R"({"_id": 2})"));
  base::Result<bool> bad = (*other)->Apply(&d, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kImmutableField);
}

base::Result<Document> Upsert(std::string_view filter, std::string_view update, bool replace) {
  auto m = matcher::Matcher::Parse(J(filter));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  auto u = replace ? Update::ParseReplacement(J(update)) : Update::Parse(J(update));
  EXPECT_TRUE(u.ok()) << u.status().ToString();
  return BuildUpsertDocument(**m, **u, ApplyContext{});
}

TEST(BuildUpsertDocument, SeedsFromEqualitiesThenApplies) {
  base::Result<Document> d = Upsert(R"({"b.c": 2, "a": 1, "n": {"$gt": 1}, "_id": 5})",
                                    R"({"$set": {"x": 1}, "$setOnInsert": {"y": 2}})", false);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, J(R"({"_id": 5, "b": {"c": 2}, "a": 1, "x": 1, "y": 2})"));
  d = Upsert(R"({"$and": [{"a": 1}, {"b": {"$eq": 2}}]})", R"({"$inc": {"a": 1}})", false);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, J(R"({"a": 2, "b": 2})"));
  d = Upsert(R"({"a": 1, "a.b": 2})", R"({"$set": {"x": 1}})", false);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kBadValue);
  d = Upsert(R"({"_id": 5})", R"({"$set": {"_id": 6}})", false);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kImmutableField);
}

TEST(BuildUpsertDocument, ReplacementTakesOnlyTheFilterId) {
  base::Result<Document> d = Upsert(R"({"a": 1, "_id": 3})", R"({"b": 2})", true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, J(R"({"_id": 3, "b": 2})"));
  d = Upsert(R"({"_id": 3})", R"({"_id": 4, "b": 2})", true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, J(R"({"_id": 4, "b": 2})"));
}

}  // namespace
}  // namespace plinth::update
