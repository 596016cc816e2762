#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "base/result.h"
#include "doc/value.h"
#include "rules/expression.h"
#include "rules/role_decision.h"
#include "services/mongo_request.h"
#include "storage/app_namespace.h"
#include "storage/engine.h"
#include "storage/object_id_generator.h"

namespace plinth::services {

// Another collection of the request's database, as a $lookup reads it: its
// store namespace and its rules (null: no rules, so the caller reads
// nothing there).
struct ForeignCollection {
  storage::StoreNamespace ns;
  const rules::CompiledRules* rules = nullptr;
};

// What the rules of one request see besides the documents, and what its
// writes need. Nothing is owned; everything must outlive the call.
struct RuleScope {
  const rules::CompiledRules* rules = nullptr;
  // user, values, environment and request; root/prev_root/this/prev unset.
  rules::EvalContext base;
  std::int64_t now_millis = 0;                // $currentDate, upsert seeds, $$NOW
  storage::ObjectIdGenerator* ids = nullptr;  // _id of inserted documents
  // Resolves a $lookup's `from` (a collection name of the request's
  // database). Unset: a $lookup reads nothing.
  std::function<ForeignCollection(std::string_view collection)> foreign;
};

// Runs `request` on the store collection `ns` as a user under `scope.rules`,
// the way docs/rules.md ("How a request is judged") describes:
// - The filters that apply (DECISIONS 7) are ANDed into the query before any
//   document is read; their projections are applied to every result.
// - Reads: each matching document gets the role whose apply_when holds first;
//   a document with no readable field is invisible (not returned, not
//   counted, not fed to a pipeline, not matched by any write: DECISIONS 9),
//   before sort/limit take effect; unreadable fields are removed.
// - Writes run in one store transaction. A document the caller can read but
//   not write at all (document_filters.write or a false document-level write)
//   is not matched, like a row outside a row-level-security policy. For each
//   matched document the change must be allowed both by the role chosen on
//   the document as it was and by the role chosen on the document as it will
//   be (DECISIONS 8); an insert or upsert needs `insert` and every field
//   writable, a delete needs `delete`. One refusal fails the whole request
//   with 403 NoMatchingRuleFound and changes nothing.
// - Aggregation runs its stages over the visible, projected documents; a
//   leading $match narrows the read like a find's query. $lookup (also in
//   $facet and in a $lookup's pipeline) reads its target collection the way
//   a find by the caller would: the target's own rules (scope.foreign), its
//   filters ANDed, invisible documents skipped, unreadable fields removed; a
//   target without rules reads as empty. $out, $merge, $graphLookup and
//   $unionWith are refused (BadValue).
// Thread-safe as the engine is.
base::Result<doc::Value> ExecuteWithRules(storage::Engine& store, const storage::StoreNamespace& ns,
                                          const RuleScope& scope, const MongoRequest& request);

}  // namespace plinth::services
