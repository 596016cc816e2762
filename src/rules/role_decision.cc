#include "rules/role_decision.h"

#include <functional>
#include <string>
#include <utility>

#include "base/status.h"

namespace plinth::rules {

namespace {

base::Result<Expression> CompileAt(const std::string& where, const doc::Value& raw,
                                   ExpressionKind kind) {
  auto compiled = Expression::Compile(raw, kind);
  if (!compiled.ok()) return compiled.status().WithContext(where);
  return compiled;
}

base::Result<std::optional<Expression>> CompileOptional(const std::string& where,
                                                        const std::optional<doc::Value>& raw) {
  if (!raw) return std::optional<Expression>();
  PLINTH_ASSIGN_OR_RETURN(Expression e, CompileAt(where, *raw, ExpressionKind::kDocument));
  return std::optional<Expression>(std::move(e));
}

base::Result<std::vector<CompiledFieldRule>> CompileFields(
    const std::string& prefix, const std::vector<config::FieldRule>& fields) {
  std::vector<CompiledFieldRule> out;
  for (const config::FieldRule& f : fields) {
    std::string at = prefix + "." + f.name;
    CompiledFieldRule c;
    c.name = f.name;
    PLINTH_ASSIGN_OR_RETURN(c.read, CompileOptional(at + ".read", f.read));
    PLINTH_ASSIGN_OR_RETURN(c.write, CompileOptional(at + ".write", f.write));
    PLINTH_ASSIGN_OR_RETURN(c.fields, CompileFields(at + ".fields", f.fields));
    out.push_back(std::move(c));
  }
  return out;
}

base::Result<CompiledRole> CompileRole(const std::string& owner, const config::Role& role) {
  PLINTH_ASSIGN_OR_RETURN(Expression apply_when, CompileAt(owner + ": apply_when", role.apply_when,
                                                           ExpressionKind::kDocument));
  PLINTH_ASSIGN_OR_RETURN(Expression insert,
                          CompileAt(owner + ": insert", role.insert, ExpressionKind::kDocument));
  PLINTH_ASSIGN_OR_RETURN(Expression delete_,
                          CompileAt(owner + ": delete", role.delete_, ExpressionKind::kDocument));
  PLINTH_ASSIGN_OR_RETURN(Expression search,
                          CompileAt(owner + ": search", role.search, ExpressionKind::kDocument));
  CompiledRole c{role.name,          std::move(apply_when), {}, {}, {}, {}, std::move(insert),
                 std::move(delete_), std::move(search),     {}, {}, {}};
  PLINTH_ASSIGN_OR_RETURN(c.filter_read, CompileOptional(owner + ": document_filters.read",
                                                         role.document_filters.read));
  PLINTH_ASSIGN_OR_RETURN(c.filter_write, CompileOptional(owner + ": document_filters.write",
                                                          role.document_filters.write));
  PLINTH_ASSIGN_OR_RETURN(c.read, CompileOptional(owner + ": read", role.read));
  PLINTH_ASSIGN_OR_RETURN(c.write, CompileOptional(owner + ": write", role.write));
  PLINTH_ASSIGN_OR_RETURN(c.fields, CompileFields(owner + ": fields", role.fields));
  PLINTH_ASSIGN_OR_RETURN(c.additional_read, CompileOptional(owner + ": additional_fields.read",
                                                             role.additional_fields.read));
  PLINTH_ASSIGN_OR_RETURN(c.additional_write, CompileOptional(owner + ": additional_fields.write",
                                                              role.additional_fields.write));
  return c;
}

const CompiledFieldRule* FindRule(const std::vector<CompiledFieldRule>& rules,
                                  std::string_view name) {
  for (const CompiledFieldRule& r : rules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

}  // namespace

base::Result<CompiledRules> CompiledRules::Compile(const config::RuleSet& rules) {
  CompiledRules out;
  for (std::size_t i = 0; i < rules.roles.size(); ++i) {
    std::string owner = "roles[" + std::to_string(i) + "] \"" + rules.roles[i].name + "\"";
    PLINTH_ASSIGN_OR_RETURN(CompiledRole role, CompileRole(owner, rules.roles[i]));
    out.roles_.push_back(std::move(role));
  }
  for (std::size_t i = 0; i < rules.filters.size(); ++i) {
    const config::Filter& f = rules.filters[i];
    std::string owner = "filters[" + std::to_string(i) + "] \"" + f.name + "\"";
    PLINTH_ASSIGN_OR_RETURN(Expression apply_when, CompileAt(owner + ": apply_when", f.apply_when,
                                                             ExpressionKind::kFilterApplyWhen));
    PLINTH_ASSIGN_OR_RETURN(Expression query,
                            CompileAt(owner + ": query", f.query, ExpressionKind::kFilterQuery));
    out.filters_.push_back({f.name, std::move(apply_when), std::move(query), f.projection});
  }
  return out;
}

std::vector<const CompiledFilter*> CompiledRules::ApplicableFilters(const EvalContext& ctx) const {
  // Filters never see the document: strip the document expansions so a
  // caller passing a full context cannot change the outcome.
  EvalContext c = ctx;
  c.root = c.prev_root = nullptr;
  c.this_value = c.prev = nullptr;
  std::vector<const CompiledFilter*> out;
  for (const CompiledFilter& f : filters_) {
    if (f.apply_when.Evaluate(c)) out.push_back(&f);
  }
  return out;
}

RoleDecision CompiledRules::Decide(const EvalContext& ctx) const {
  // Step 2: roles in array order, the first whose apply_when holds. Step 3:
  // none = no access. Step 4 (rules.json roles only, no fallback to
  // default_rule.json) is the caller's choice of RuleSet.
  for (const CompiledRole& role : roles_) {
    if (role.apply_when.Evaluate(ctx)) return RoleDecision(&role, ctx);
  }
  return RoleDecision(nullptr, ctx);
}

bool RoleDecision::Eval(const Expression& e, const doc::Value* this_value,
                        const doc::Value* prev) const {
  EvalContext c = ctx_;
  c.this_value = this_value;
  c.prev = prev;
  return e.Evaluate(c);
}

// Step 5: document_filters.read/write count as true when unset.
bool RoleDecision::FilterRead() const {
  return !role_->filter_read || Eval(*role_->filter_read, nullptr, nullptr);
}
bool RoleDecision::FilterWrite() const {
  return !role_->filter_write || Eval(*role_->filter_write, nullptr, nullptr);
}

std::optional<bool> RoleDecision::DocumentWrite() const {
  // Step 5: document_filters.write false = the whole document unwritable.
  if (!FilterWrite()) return false;
  // Step 6: a defined document-level write takes priority over field rules.
  if (role_->write) return Eval(*role_->write, nullptr, nullptr);
  return std::nullopt;
}

std::optional<bool> RoleDecision::DocumentRead() const {
  // Step 5: unreadable when document_filters.read is false and write is
  // unset or false. (Unset read counts as true.) A defined, true
  // document_filters.write therefore keeps the document readable: write
  // implies read.
  bool filters_allow = FilterRead() || (role_->filter_write && FilterWrite());
  if (!filters_allow) return false;
  // Step 6: write implies read; a defined document-level read decides all
  // fields. A document-level write that is defined but false does not decide
  // reading: then `read`, or the field rules, do.
  std::optional<bool> write = DocumentWrite();
  if (write == true) return true;
  if (role_->read) return Eval(*role_->read, nullptr, nullptr);
  return std::nullopt;
}

namespace {

// The field-level walk shared by reads and writes. A field rule that defines
// read or write decides its whole subtree ("a parent field's permission
// overrides its children"); one that defines neither delegates to its nested
// `fields` for a sub-document; unlisted fields use additional_fields at the
// top level only and are denied below it (unspecified = false). Arrays of
// sub-documents under nested rules are not entered: such a field is
// unreadable/unwritable unless a rule on the field itself allows it.
struct FieldWalker {
  const CompiledRole* role;
  std::function<bool(const Expression&, const doc::Value*, const doc::Value*)> eval;

  doc::Document Project(const doc::Document& doc, const std::vector<CompiledFieldRule>& rules,
                        bool top) const {
    doc::Document out;
    for (const auto& [name, value] : doc) {
      const CompiledFieldRule* rule = FindRule(rules, name);
      const std::optional<Expression>* read = nullptr;
      const std::optional<Expression>* write = nullptr;
      if (rule != nullptr) {
        if (!rule->read && !rule->write) {
          if (!rule->fields.empty() && value.is_document()) {
            doc::Document sub = Project(value.as_document(), rule->fields, false);
            if (!sub.empty()) out.Append(name, std::move(sub));
          }
          continue;
        }
        read = &rule->read;
        write = &rule->write;
      } else if (top) {
        read = &role->additional_read;
        write = &role->additional_write;
      } else {
        continue;
      }
      // Write implies read; unset = false.
      bool readable =
          (*write && eval(**write, &value, nullptr)) || (*read && eval(**read, &value, nullptr));
      if (readable) out.Append(name, value);
    }
    return out;
  }

  bool Writable(const doc::Document& before, const doc::Document& after,
                const std::vector<CompiledFieldRule>& rules, bool top) const {
    auto check = [&](const std::string& name) {
      const doc::Value* b = before.Get(name);
      const doc::Value* a = after.Get(name);
      if (b != nullptr && a != nullptr && *b == *a) return true;  // unchanged
      const CompiledFieldRule* rule = FindRule(rules, name);
      if (rule != nullptr) {
        if (rule->read || rule->write) return rule->write && eval(*rule->write, a, b);
        bool b_sub = b == nullptr || b->is_document();
        bool a_sub = a == nullptr || a->is_document();
        if (rule->fields.empty() || !b_sub || !a_sub) return false;
        static const doc::Document kEmpty;
        return Writable(b ? b->as_document() : kEmpty, a ? a->as_document() : kEmpty, rule->fields,
                        false);
      }
      if (!top) return false;
      return role->additional_write && eval(*role->additional_write, a, b);
    };
    for (const auto& [name, unused] : after) {
      if (!check(name)) return false;
    }
    for (const auto& [name, unused] : before) {
      if (after.Get(name) == nullptr && !check(name)) return false;
    }
    return true;
  }

  // Whether some field rule's write (or additional_fields.write) holds on
  // `doc` as it is.
  bool AnyWritable(const doc::Document* doc, const std::vector<CompiledFieldRule>& rules,
                   bool top) const {
    for (const CompiledFieldRule& rule : rules) {
      const doc::Value* v = doc ? doc->Get(rule.name) : nullptr;
      if (rule.write && eval(*rule.write, v, v)) return true;
      if (!rule.read && !rule.write && !rule.fields.empty() && (!v || v->is_document()) &&
          AnyWritable(v ? &v->as_document() : nullptr, rule.fields, false)) {
        return true;
      }
    }
    return top && role->additional_write && eval(*role->additional_write, nullptr, nullptr);
  }
};

}  // namespace

doc::Document RoleDecision::ReadableProjection(const doc::Document& doc) const {
  if (role_ == nullptr) return {};
  std::optional<bool> document = DocumentRead();
  if (document) return *document ? doc : doc::Document{};
  FieldWalker w{role_, [this](const Expression& e, const doc::Value* t, const doc::Value* p) {
                  return Eval(e, t, p);
                }};
  return w.Project(doc, role_->fields, true);
}

bool RoleDecision::CanReadDocument() const {
  return role_ != nullptr && ctx_.root != nullptr && !ReadableProjection(*ctx_.root).empty();
}

bool RoleDecision::CanWriteFields(const doc::Document& before, const doc::Document& after) const {
  if (role_ == nullptr) return false;
  std::optional<bool> document = DocumentWrite();
  if (document) return *document;
  FieldWalker w{role_, [this](const Expression& e, const doc::Value* t, const doc::Value* p) {
                  return Eval(e, t, p);
                }};
  return w.Writable(before, after, role_->fields, true);
}

bool RoleDecision::CanWriteDocument() const {
  if (role_ == nullptr) return false;
  std::optional<bool> document = DocumentWrite();
  if (document) return *document;
  FieldWalker w{role_, [this](const Expression& e, const doc::Value* t, const doc::Value* p) {
                  return Eval(e, t, p);
                }};
  return w.AnyWritable(ctx_.root, role_->fields, true);
}

bool RoleDecision::CanInsert() const {
  // Step 7: `insert` only after write permission on every field of the new
  // document (ctx.root), compared with an empty document.
  if (role_ == nullptr || ctx_.root == nullptr) return false;
  if (!CanWriteFields(doc::Document{}, *ctx_.root)) return false;
  return Eval(role_->insert, nullptr, nullptr);
}

bool RoleDecision::CanDelete() const {
  // Step 7, "delete works the same way": every field of the document removed.
  if (role_ == nullptr || ctx_.root == nullptr) return false;
  if (!CanWriteFields(*ctx_.root, doc::Document{})) return false;
  return Eval(role_->delete_, nullptr, nullptr);
}

bool RoleDecision::CanSearch() const {
  if (role_ == nullptr) return false;
  std::optional<bool> read = DocumentRead();
  if (read == false) return false;
  return Eval(role_->search, nullptr, nullptr);
}

}  // namespace plinth::rules
