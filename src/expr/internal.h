#pragma once

// Internals shared by the files of expr/: the node tree and the operator
// tables. Not for use outside this folder.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "doc/value.h"
#include "expr/expression.h"

namespace plinth::expr {

using Opt = std::optional<doc::Value>;
using Args = std::vector<Opt>;

// An operator whose arguments are all evaluated first, in order (most of
// them). `name` is the operator ("$add") for error messages.
using EagerFn = base::Result<Opt> (*)(std::string_view name, const Args& args);
struct EagerOp {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number
  EagerFn fn;
};

// Operators in operators.cc, date.cc and convert.cc; nullptr when unknown.
const EagerOp* FindEagerOp(std::string_view name);
const EagerOp* FindDateOp(std::string_view name);
const EagerOp* FindConvertOp(std::string_view name);

// Operators that control evaluation themselves (laziness, scopes).
enum class Special { kLet, kMap, kFilter, kReduce, kCond, kIfNull, kSwitch, kAnd, kOr, kConvert };

struct ExprNode {
  enum class Kind { kConstant, kPath, kVariable, kObject, kArray, kEager, kSpecial };
  Kind kind = Kind::kConstant;
  doc::Value constant;             // kConstant
  std::string var;                 // kVariable: ROOT, CURRENT, NOW, REMOVE or a user name
  std::vector<std::string> path;   // kPath (from $$CURRENT) and kVariable: fields after
  std::vector<std::string> names;  // kObject field names; kLet names; "as" names
  std::vector<std::unique_ptr<const ExprNode>> args;  // children; nullptr = absent
  const EagerOp* op = nullptr;                        // kEager
  Special special = Special::kLet;                    // kSpecial
  std::string op_name;                                // operators, for messages
  bool constant_tree = true;                          // no paths, no variables
};

// Helpers shared by the operator files.
inline bool IsNullish(const Opt& v) {
  return !v.has_value() || v->is_null() || v->type() == doc::Type::kUndefined;
}
// MongoDB's type name of a value, "missing" for nullopt.
std::string TypeNameOf(const Opt& v);
base::Status TypeMismatch(std::string message);
base::Status ArgCountError(std::string_view name, int expected, std::size_t got);
// A whole number argument (any numeric type with an integral value that fits
// an Int64); nullopt otherwise.
std::optional<std::int64_t> WholeNumber(const doc::Value& v);
// Shortest text that reads back as the same double, as $toString/$concat
// coercions need.
std::string DoubleToString(double d);
// The conversion of $convert. `to` is a doc::Type; errors are kBadValue.
base::Result<doc::Value> ConvertTo(const doc::Value& input, doc::Type to);
// $convert's "to": a type name ("int") or number (16); kBadValue otherwise.
base::Result<doc::Type> ConvertTargetType(const doc::Value& to);

}  // namespace plinth::expr
