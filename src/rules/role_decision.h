#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/rule.h"
#include "doc/value.h"
#include "rules/expression.h"

namespace plinth::rules {

// Roles and filters of one collection (app-config §4.1, §4.3), compiled once
// from a config::RuleSet, and the per-document decision they give.
//
// How a caller uses it (DECISIONS 7-9):
// 1. ApplicableFilters(ctx) with the user/values/environment/request only:
//    each filter's ExpandQuery is ANDed into the request's query and its
//    projection merged, before any document is read.
// 2. For each document: Decide(ctx) with ctx.root = the document (for a
//    write: the document as it was; for an insert: the new document;
//    ctx.prev_root = the stored document when there is one). The decision
//    answers CanRead/CanWrite/.../ReadableProjection/CanWriteFields.
// 3. For a write, DECISIONS 8 also requires the write to be allowed on the
//    document as it will be: decide again with ctx.root = the new document,
//    ctx.prev_root = the old one, and require CanWriteFields there too.
//
// Immutable after Compile; thread-safe. A RoleDecision holds pointers into
// the CompiledRules and into the EvalContext's pointees: it must not outlive
// them.

struct CompiledFieldRule {
  std::string name;
  std::optional<Expression> read;
  std::optional<Expression> write;
  std::vector<CompiledFieldRule> fields;
};

struct CompiledRole {
  std::string name;
  Expression apply_when;
  std::optional<Expression> filter_read;   // document_filters.read; unset = true
  std::optional<Expression> filter_write;  // document_filters.write; unset = true
  std::optional<Expression> read;          // document-level; unset = undefined
  std::optional<Expression> write;         // document-level; unset = undefined
  Expression insert;
  Expression delete_;
  Expression search;
  std::vector<CompiledFieldRule> fields;
  std::optional<Expression> additional_read;   // unset = false
  std::optional<Expression> additional_write;  // unset = false
};

struct CompiledFilter {
  std::string name;
  Expression apply_when;  // kFilterApplyWhen
  Expression query;       // kFilterQuery
  doc::Document projection;
};

class RoleDecision;

class CompiledRules {
 public:
  // kInvalidConfig naming the role/filter and field of the first problem
  // (CheckRuleSet lists them all).
  static base::Result<CompiledRules> Compile(const config::RuleSet& rules);

  const std::vector<CompiledRole>& roles() const { return roles_; }
  const std::vector<CompiledFilter>& filters() const { return filters_; }

  // The filters whose apply_when holds in `ctx` (document expansions are not
  // available to them), in file order.
  std::vector<const CompiledFilter*> ApplicableFilters(const EvalContext& ctx) const;

  // §4.1 step 2-3: the first role, in array order, whose apply_when is true
  // for ctx.root; no role = no access.
  RoleDecision Decide(const EvalContext& ctx) const;

 private:
  std::vector<CompiledRole> roles_;
  std::vector<CompiledFilter> filters_;
};

// The permissions one role gives on one document.
class RoleDecision {
 public:
  RoleDecision(const CompiledRole* role, const EvalContext& ctx) : role_(role), ctx_(ctx) {}

  bool has_role() const { return role_ != nullptr; }
  // REQUIRES: has_role().
  const std::string& role_name() const { return role_->name; }

  // Whether any of ctx.root is visible (ReadableProjection(*ctx.root) not
  // empty); false without a role or a root.
  bool CanReadDocument() const;
  // Whether some write to ctx.root can be allowed: document_filters.write and
  // then document-level write if defined, else some field of ctx.root (or
  // additional_fields) being writable. The precise check of one write is
  // CanWriteFields.
  bool CanWriteDocument() const;
  // §4.1 step 7: every field of the new document (ctx.root) writable, then
  // `insert`.
  bool CanInsert() const;
  // Same with `delete`, for the document to delete (ctx.root).
  bool CanDelete() const;
  // `search` (§4.1 step 8), after document_filters.read.
  bool CanSearch() const;

  // `doc` without the fields the role may not read (nested rules applied to
  // sub-documents). An empty result means the document is withheld. Field
  // rules see %%this = the field's value and %%root = ctx.root (normally
  // `doc` itself).
  doc::Document ReadableProjection(const doc::Document& doc) const;

  // Whether every field that differs between `before` and `after` (added,
  // removed or changed, compared type-exactly, sub-documents compared field by
  // field where nested rules exist) is writable. %%this is the field's new
  // value, %%prev its old one.
  bool CanWriteFields(const doc::Document& before, const doc::Document& after) const;

 private:
  // Document-level outcome (document_filters, read, write) that holds for
  // every field, or nullopt when fields decide.
  std::optional<bool> DocumentRead() const;
  std::optional<bool> DocumentWrite() const;
  bool Eval(const Expression& e, const doc::Value* this_value, const doc::Value* prev) const;
  bool FilterRead() const;
  bool FilterWrite() const;

  const CompiledRole* role_;
  EvalContext ctx_;
};

}  // namespace plinth::rules
