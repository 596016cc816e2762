#pragma once

#include <string_view>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::js {

// Host is everything a running function may ask of the server, behind one
// method: the JS prelude turns `context.*` calls into Invoke(method, args).
// functions/ implements it per call, already bound to the caller's identity
// (so rules apply), which keeps the JS layers free of storage, rules and HTTP.
//
// Methods the prelude calls (arguments as listed, all doc values):
//   "services.get"        [service]                    -> bool: service exists
//   "mongodb.<action>"    [service, db, coll, ...args] -> the action's result;
//       actions: findOne, find, aggregate, count, distinct, insertOne,
//       insertMany, updateOne, updateMany, deleteOne, deleteMany,
//       findOneAndUpdate, findOneAndReplace, findOneAndDelete, bulkWrite.
//       find's args are [query, projection, {sort, skip, limit}], aggregate's
//       [pipeline, options]; both return the documents as an array.
//   "mongodb.getCollectionNames" [service, db]; "mongodb.getDBNames" [service]
//   "values.get"          [name]           -> the value, or Undefined if none
//   "functions.execute"   [name, ...args]  -> the callee's result. The host
//       runs it through Engine::CallNested on the same JS thread (inline,
//       DECISIONS 12) and returns its result or error.
//   "http.<verb>"         [options]        -> response document
// An unknown method should be kServiceCommandNotFound.
//
// A non-OK Status becomes a JS Error whose message is the Status message and
// whose `code` property is the App Services error code name; an async API
// (findOne, insertOne, ...) rejects its promise with it.
//
// Thread-safety: Invoke is called only on the JS thread running the call,
// possibly re-entrantly (a nested call's own host). Invoke must not throw.
class Host {
 public:
  virtual ~Host() = default;
  virtual base::Result<doc::Value> Invoke(std::string_view method, const doc::Array& args) = 0;
};

// A Host that refuses everything: for calls with no server behind them
// (tests, benchmarks, pure functions).
class NullHost final : public Host {
 public:
  base::Result<doc::Value> Invoke(std::string_view method, const doc::Array& args) override;
};

}  // namespace plinth::js
