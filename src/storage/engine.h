#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/collection.h"

namespace plinth::storage {

class Stage;

// Engine is the storage seam: a set of databases of collections. The SQLite
// engine (storage/sqlite/) is the default; a MongoDB engine comes later
// behind the same interface. Only server/ names a concrete engine.
//
// Names: database names 1-63 bytes without / \ . " $ space or NUL;
// collection names 1-255 bytes, no '$', no NUL, not starting with
// "system." (InvalidNamespace). The database "__plinth" holds Plinth's own
// records and is reserved: apps cannot reach it (that check lives above the
// engine, in services/).
//
// Thread-safe: every method may be called from any thread at once.
class Engine {
 public:
  virtual ~Engine() = default;

  // A handle; the collection is created by its first write.
  virtual base::Result<std::shared_ptr<Collection>> GetCollection(const std::string& database,
                                                                  const std::string& name) = 0;

  virtual base::Result<std::vector<std::string>> ListDatabases() = 0;
  virtual base::Result<std::vector<std::string>> ListCollections(const std::string& database) = 0;
  // Dropping what does not exist is not an error (returns false).
  virtual base::Result<bool> DropCollection(const std::string& database,
                                            const std::string& name) = 0;
  virtual base::Result<bool> DropDatabase(const std::string& database) = 0;
  // MongoDB's renameCollection within one database: the documents, their
  // natural order and every index move to `to`. NamespaceNotFound when
  // `from` does not exist; NamespaceExists when `to` does, unless
  // `drop_target` (then `to` is dropped first, in the same transaction);
  // IllegalOperation when from == to.
  virtual base::Status RenameCollection(const std::string& database, const std::string& from,
                                        const std::string& to, bool drop_target) = 0;

  // Runs `body` as one multi-document transaction: every write made through
  // the collections `body` gets from the Transaction commits together, or
  // none does (when body returns an error, or the engine fails). For
  // Plinth's own records (a user, its identity and session). Reads inside
  // see the transaction's own writes.
  virtual base::Status RunTransaction(
      const std::function<base::Status(Engine& transaction)>& body) = 0;

  // Staged writes (DECISIONS 3): a Stage collects writes without committing
  // them; reads made through the stage see them; Commit applies them in one
  // transaction (optionally together with `also`, more writes run inside
  // the same transaction), Discard drops them. While a stage is open nothing
  // is locked, so other writers are not stalled; Commit re-checks unique
  // indexes and fails (DuplicateKey) without applying anything on conflict.
  virtual std::unique_ptr<Stage> NewStage() = 0;

  // A number that changes whenever a write through this engine object (in
  // this process) has ended, so a cache of data read through it can tell
  // whether it may still be current. Writes by other processes do not
  // change it. nullopt: the engine does not track writes (never cache).
  virtual std::optional<std::uint64_t> WriteVersion() const { return std::nullopt; }
};

// A Stage is an Engine view whose writes are held back until Commit.
// Not thread-safe: one thread (or one JS call) at a time.
class Stage {
 public:
  virtual ~Stage() = default;
  // Collections whose writes are staged and whose reads see the staged writes.
  virtual Engine& view() = 0;
  // Applies every staged write, and then `also` (if given), in one
  // transaction of the underlying engine. The stage is empty afterwards.
  virtual base::Status Commit(
      const std::function<base::Status(Engine& transaction)>& also = nullptr) = 0;
  virtual void Discard() = 0;
};

}  // namespace plinth::storage
