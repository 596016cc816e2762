#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/rule.h"
#include "doc/value.h"
#include "rules/function_caller.h"

namespace plinth::rules {

// The rule expression language of app-config §5, compiled once from the raw
// doc::Value a rules.json holds (config/rule.h) and evaluated per request or
// per document.
//
// Compile checks everything that can be checked without data, so a typo in a
// rule is a config error at load time (kInvalidConfig, the message naming the
// expansion or operator), never a silent "false" at run time:
// - expansions must be one of %%true %%false %%user[.id|.type|.identities|
//   .data[.*]|.custom_data[.*]] %%root[.*] %%prevRoot[.*] %%this[.*] %%prev[.*]
//   %%values.<name>[.*] %%environment[.tag|.values[.*]] %%request[.*];
// - operators must be one of %and %or %nor %not %in %nin %exists %eq %ne %gt
//   %gte %lt %lte (each also spelled with '$'), %stringToOid %oid (its alias)
//   %oidToString %stringToUuid %uuidToString, %function;
// - nesting is at most kMaxDepth documents/arrays deep.
//
// Evaluation (§5, "Syntax and evaluation"):
// - `true`/`false` are themselves; a document is the AND of its fields; {} is true.
// - A key that is not an expansion or operator means %%root.<key>; dotted keys
//   walk sub-documents and arrays as a MongoDB query path does.
// - A field's value is either a plain value (literal, expansion, conversion or
//   a document/array with expansions inside), compared by MongoDB equality
//   (doc::ValuesEqual, so Int32 1 == Double 1.0) where an array on the key side
//   matches when it contains the value; or an operator document, whose
//   operators are ANDed.
// - Missing data: an absent context part (nullptr in EvalContext) or an absent
//   field makes the expansion "missing". A missing key side equals only null
//   (MongoDB: {a: null} matches a missing a) and satisfies $exists: false,
//   $ne and $nin; range operators are false on it. A missing VALUE side (e.g.
//   %%user.id with no user) never equals anything, so {"owner": "%%user.id"}
//   is false for every document when there is no user, even one without an
//   `owner`. $in/$nin whose operand is not an array are false.
// - Range operators ($gt ...) compare only within one canonical type rank
//   (doc/compare.h), like MongoDB's type bracketing; array elements are tried
//   one by one as MongoDB does.
// - %function: the key's values must equal (as for a plain value) what the
//   function returns when called through ctx.functions with the resolved
//   arguments: {"%%true": {"%function": {...}}} holds when it returns true.
//   A function that throws, an argument that is missing, or no
//   ctx.functions makes the condition false (§5: "If the function throws,
//   the expression is false").
// - Conversions whose argument does not convert (not 24 hex digits, ...) give
//   a missing value.
//
// Immutable after Compile; copies share the compiled tree; Evaluate and
// ExpandQuery are thread-safe.

enum class ExpressionKind {
  // Role apply_when/read/write/insert/delete/search, document_filters, field
  // rules: every expansion, including the document ones.
  kDocument,
  // filters[].apply_when: evaluated before any document is read, so no
  // %%root/%%prevRoot/%%this/%%prev and no bare (implicit %%root) keys.
  kFilterApplyWhen,
  // filters[].query: a MongoDB query document whose VALUES may be expansions
  // or conversions ({"owner": {"%stringToOid": "%%user.id"}}). No document
  // expansions. Use ExpandQuery to get the plain query.
  kFilterQuery,
};

// What expansions see. Every pointer may be nullptr (absent: the expansion is
// missing). Nothing is owned; the pointees must outlive the evaluation.
struct EvalContext {
  const doc::Document* user = nullptr;  // {id, type, data, custom_data, identities}
  const doc::Document* root = nullptr;
  const doc::Document* prev_root = nullptr;
  const doc::Value* this_value = nullptr;
  const doc::Value* prev = nullptr;
  const doc::Document* values = nullptr;       // app values by name
  const doc::Document* environment = nullptr;  // {tag, values}
  const doc::Document* request = nullptr;
  const FunctionCaller* functions = nullptr;  // %function; none: false
};

struct ExpressionTree;

class Expression {
 public:
  // Maximum nesting of documents and arrays inside one expression.
  static constexpr int kMaxDepth = 100;

  // `raw` must be a boolean or a document (kFilterQuery: a document).
  static base::Result<Expression> Compile(const doc::Value& raw, ExpressionKind kind);

  // The expression's truth in `ctx`. For kFilterQuery: whether ctx.root
  // matches the expanded query (false without a root).
  bool Evaluate(const EvalContext& ctx) const;

  // kFilterQuery only (kBadValue otherwise): the query with every expansion
  // and conversion replaced by its value. When one of them is missing or does
  // not convert, the whole query becomes {"$alwaysFalse": 1}: a filter that
  // cannot be expanded narrows to nothing rather than to "field is null".
  base::Result<doc::Document> ExpandQuery(const EvalContext& ctx) const;

  ExpressionKind kind() const { return kind_; }
  const doc::Value& raw() const { return raw_; }
  // Whether a %function appears anywhere (such rules need the function runner).
  bool uses_function() const;

 private:
  Expression() = default;
  ExpressionKind kind_ = ExpressionKind::kDocument;
  doc::Value raw_;
  std::shared_ptr<const ExpressionTree> tree_;
};

// Compiles every expression of `rules` (roles' apply_when, document_filters,
// read/write/insert/delete/search, fields at every depth, additional_fields;
// filters' apply_when and query) and returns one message per problem, naming
// the role or filter and the field: `roles[0] "owner": apply_when: unknown
// expansion "%%usr.id"`. Empty when everything compiles. Used at startup.
std::vector<std::string> CheckRuleSet(const config::RuleSet& rules);

}  // namespace plinth::rules
