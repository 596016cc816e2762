#include "storage/sqlite/sqlite_engine.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "doc/bson_codec.h"
#include "doc/limits.h"
#include "storage/names.h"
#include "storage/object_id_generator.h"
#include "storage/sqlite/catalog.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sql_record_store.h"
#include "storage/store_collection.h"

namespace plinth::storage {
namespace sqlite {
namespace {

using base::Result;
using base::Status;

constexpr auto kCheckpointInterval = std::chrono::seconds(1);

// Everything the engine's views share: the connections, the id generator,
// the checkpoint thread. Thread-safe.
class Core {
 public:
  Core(const SqliteOptions& options, std::string path, bool temporary)
      : path_(std::move(path)),
        temporary_(temporary),
        settings_{options.synchronous_full, options.cache_bytes, options.mmap_bytes},
        max_idle_readers_(std::max(options.reader_connections, 1)),
        clock_(options.clock ? options.clock : base::SystemClock::Default()),
        ids_(clock_, options.random ? options.random : base::SystemRandom::Default()) {}

  ~Core() {
    {
      std::lock_guard lock(checkpoint_mu_);
      stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    readers_.clear();
    checkpoint_conn_.reset();
    writer_.reset();
    if (temporary_) {
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(path_ + suffix, ec);
      }
    }
  }

  Status Open() {
    PLINTH_ASSIGN_OR_RETURN(writer_, Connection::Open(path_, settings_));
    PLINTH_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status schema = InitSchema(*writer_);
    PLINTH_RETURN_IF_ERROR(writer_->Exec(schema.ok() ? "COMMIT" : "ROLLBACK"));
    PLINTH_RETURN_IF_ERROR(schema);
    PLINTH_ASSIGN_OR_RETURN(checkpoint_conn_, Connection::Open(path_, settings_));
    checkpointer_ = std::thread([this] { CheckpointLoop(); });
    return Status::Ok();
  }

  Result<std::unique_ptr<Connection>> AcquireReader() {
    {
      std::lock_guard lock(readers_mu_);
      if (!readers_.empty()) {
        auto conn = std::move(readers_.back());
        readers_.pop_back();
        return conn;
      }
    }
    return Connection::Open(path_, settings_);
  }

  void ReleaseReader(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(readers_mu_);
    if (static_cast<int>(readers_.size()) < max_idle_readers_) readers_.push_back(std::move(conn));
  }

  // Bumped after every write transaction ends (commit or not); see
  // Engine::WriteVersion.
  std::uint64_t write_version() const { return write_version_.load(std::memory_order_acquire); }
  void BumpWriteVersion() { write_version_.fetch_add(1, std::memory_order_acq_rel); }

  std::mutex& writer_mu() { return writer_mu_; }
  Connection& writer() { return *writer_; }
  OperationContext context() { return OperationContext{&ids_, clock_}; }

 private:
  void CheckpointLoop() {
    std::unique_lock lock(checkpoint_mu_);
    while (!stopping_) {
      checkpoint_cv_.wait_for(lock, kCheckpointInterval);
      if (stopping_) break;
      // PASSIVE never blocks readers or the writer; failures are retried
      // next round.
      (void)checkpoint_conn_->Exec("PRAGMA wal_checkpoint(PASSIVE)");
    }
  }

  const std::string path_;
  const bool temporary_;
  const Connection::Settings settings_;
  const int max_idle_readers_;
  const base::Clock* clock_;
  ObjectIdGenerator ids_;

  std::mutex writer_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;

  std::unique_ptr<Connection> checkpoint_conn_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool stopping_ = false;
  std::thread checkpointer_;
  std::atomic<std::uint64_t> write_version_{0};
};

// How an operation reaches the database: on its own (a reader snapshot or
// the writer under its mutex) or inside a transaction on `txn`.
struct Session {
  std::shared_ptr<Core> core;
  Connection* txn = nullptr;
};

using ConnFunction = std::function<Status(Connection& conn)>;

Status EndTransaction(Connection& conn, Status status) {
  if (status.ok()) {
    Status commit = conn.Exec("COMMIT");
    if (commit.ok()) return commit;
    (void)conn.Exec("ROLLBACK");
    return commit;
  }
  if (!sqlite3_get_autocommit(conn.db())) (void)conn.Exec("ROLLBACK");
  return status;
}

// Runs `body` in a read snapshot (or inside the session's transaction).
Status ReadIn(const Session& session, const ConnFunction& body) {
  if (session.txn != nullptr) return body(*session.txn);
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, session.core->AcquireReader());
  Status status = conn->Exec("BEGIN");
  if (status.ok()) status = EndTransaction(*conn, body(*conn));
  if (sqlite3_get_autocommit(conn->db())) session.core->ReleaseReader(std::move(conn));
  return status;
}

// Runs `body` as one all-or-nothing write: its own write transaction, or a
// savepoint inside the session's transaction.
Status WriteIn(const Session& session, const ConnFunction& body) {
  if (session.txn != nullptr) {
    Connection& conn = *session.txn;
    PLINTH_RETURN_IF_ERROR(conn.Exec("SAVEPOINT plinth_op"));
    Status status = body(conn);
    if (!status.ok()) (void)conn.Exec("ROLLBACK TO plinth_op");
    Status release = conn.Exec("RELEASE plinth_op");
    return status.ok() ? release : status;
  }
  std::lock_guard lock(session.core->writer_mu());
  Connection& conn = session.core->writer();
  PLINTH_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
  Status status = EndTransaction(conn, body(conn));
  session.core->BumpWriteVersion();
  return status;
}

Status NotInStage(std::string_view what) {
  return Status(base::ErrorCode::kIllegalOperation,
                std::string(what) + " is not supported on a stage's view");
}

doc::Document IndexDescription(const IndexInfo& index) {
  doc::Document out{{"v", 2}, {"key", index.key}, {"name", index.name}};
  if (index.unique && index.name != "_id_") out.Append("unique", true);
  if (index.sparse) out.Append("sparse", true);
  if (index.partial != nullptr) out.Append("partialFilterExpression", index.partial->expression());
  return out;
}

Result<std::vector<doc::Document>> ListIndexesIn(const Session& session,
                                                 const std::string& database,
                                                 const std::string& name) {
  std::vector<doc::Document> out;
  PLINTH_RETURN_IF_ERROR(ReadIn(session, [&](Connection& conn) -> Status {
    SqlRecordStore store(&conn, database, name);
    PLINTH_ASSIGN_OR_RETURN(const CollectionInfo* info, store.Info());
    if (info == nullptr) return Status::Ok();
    for (const IndexInfo& index : info->indexes) out.push_back(IndexDescription(index));
    return Status::Ok();
  }));
  return out;
}

// A collection of the SQLite engine, autonomous or inside a transaction.
class SqliteCollection final : public StoreCollection {
 public:
  SqliteCollection(Session session, std::string database, std::string name)
      : StoreCollection(std::move(database), std::move(name)), session_(std::move(session)) {}

  Result<std::string> CreateIndex(const IndexSpec& requested) override {
    PLINTH_ASSIGN_OR_RETURN(std::vector<KeyField> fields, ParseKeyPattern(requested.key));
    IndexSpec spec = requested;
    if (spec.name.empty()) spec.name = DefaultIndexName(spec.key);
    const std::string& name = spec.name;
    if (spec.sparse && spec.partial_filter_expression) {
      return Status(base::ErrorCode::kCannotCreateIndex,
                    "cannot mix \"partialFilterExpression\" and \"sparse\" options");
    }
    std::shared_ptr<const PartialFilter> partial;
    if (spec.partial_filter_expression) {
      PLINTH_ASSIGN_OR_RETURN(partial, PartialFilter::Parse(*spec.partial_filter_expression));
    }
    // Two indexes are the same index when key and partial filter agree
    // (MongoDB allows one key pattern under different partial filters).
    auto same_filter = [&](const IndexInfo& index) {
      if ((index.partial == nullptr) != (partial == nullptr)) return false;
      return partial == nullptr || index.partial->expression() == partial->expression();
    };
    PLINTH_RETURN_IF_ERROR(WriteIn(session_, [&](Connection& conn) -> Status {
      SqlRecordStore store(&conn, database(), this->name());
      PLINTH_ASSIGN_OR_RETURN(CollectionInfo * info, store.EnsureInfo());
      for (const IndexInfo& index : info->indexes) {
        const bool same_key = index.fields.size() == fields.size() &&
                              std::equal(fields.begin(), fields.end(), index.fields.begin(),
                                         [](const KeyField& a, const KeyField& b) {
                                           return a.path == b.path && a.descending == b.descending;
                                         });
        if (index.name == name) {
          if (name == "_id_" && same_key && !spec.sparse && !partial) return Status::Ok();
          if (same_key && index.unique == spec.unique && index.sparse == spec.sparse &&
              same_filter(index)) {
            return Status::Ok();
          }
          return Status(base::ErrorCode::kCannotCreateIndex,
                        "An existing index has the same name as the requested index but a "
                        "different key or options: " +
                            name);
        }
        if (same_key && same_filter(index)) {
          return Status(base::ErrorCode::kCannotCreateIndex,
                        "Index already exists with a different name: " + index.name);
        }
      }
      if (info->indexes.size() >= 64) {
        return Status(base::ErrorCode::kCannotCreateIndex,
                      "add index fails, too many indexes for " + database() + "." + this->name());
      }
      PLINTH_ASSIGN_OR_RETURN(IndexInfo index, AddIndex(conn, info, spec));
      return store.BuildIndex(index);
    }));
    return name;
  }

  Result<std::vector<doc::Document>> ListIndexes() override {
    return ListIndexesIn(session_, database(), name());
  }

  Status DropIndex(const std::string& index_name) override {
    if (index_name == "_id_") {
      return Status(base::ErrorCode::kIllegalOperation, "cannot drop _id index");
    }
    return WriteIn(session_, [&](Connection& conn) -> Status {
      SqlRecordStore store(&conn, database(), name());
      PLINTH_ASSIGN_OR_RETURN(const CollectionInfo* info, store.Info());
      if (info != nullptr) {
        for (const IndexInfo& index : info->indexes) {
          if (index.name == index_name) return RemoveIndex(conn, *info, index);
        }
      }
      return Status(base::ErrorCode::kIndexNotFound,
                    "index not found with name [" + index_name + "]");
    });
  }

 protected:
  Status WithRead(const StoreFunction& body) override {
    return ReadIn(session_, [&](Connection& conn) {
      SqlRecordStore store(&conn, database(), name());
      return body(store);
    });
  }
  Status WithWrite(const StoreFunction& body) override {
    return WriteIn(session_, [&](Connection& conn) {
      SqlRecordStore store(&conn, database(), name());
      return body(store);
    });
  }
  OperationContext context() override { return session_.core->context(); }
  Status WithReadOf(const std::string& collection, const StoreFunction& body) override {
    return ReadIn(session_, [&](Connection& conn) {
      SqlRecordStore store(&conn, database(), collection);
      return body(store);
    });
  }

 private:
  Session session_;
};

std::unique_ptr<Stage> MakeStage(std::shared_ptr<Core> core);

// The engine, or its view inside a transaction (session.txn set).
class EngineView : public Engine {
 public:
  explicit EngineView(Session session) : session_(std::move(session)) {}

  Result<std::shared_ptr<Collection>> GetCollection(const std::string& database,
                                                    const std::string& name) override {
    PLINTH_RETURN_IF_ERROR(ValidateDatabaseName(database));
    PLINTH_RETURN_IF_ERROR(ValidateCollectionName(name));
    return std::shared_ptr<Collection>(
        std::make_shared<SqliteCollection>(session_, database, name));
  }

  Result<std::vector<std::string>> ListDatabases() override {
    std::vector<std::string> out;
    PLINTH_RETURN_IF_ERROR(ReadIn(session_, [&](Connection& conn) -> Status {
      PLINTH_ASSIGN_OR_RETURN(out, ListDatabaseNames(conn));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<std::string>> ListCollections(const std::string& database) override {
    PLINTH_RETURN_IF_ERROR(ValidateDatabaseName(database));
    std::vector<std::string> out;
    PLINTH_RETURN_IF_ERROR(ReadIn(session_, [&](Connection& conn) -> Status {
      PLINTH_ASSIGN_OR_RETURN(out, ListCollectionNames(conn, database));
      return Status::Ok();
    }));
    return out;
  }

  Result<bool> DropCollection(const std::string& database, const std::string& name) override {
    PLINTH_RETURN_IF_ERROR(ValidateDatabaseName(database));
    PLINTH_RETURN_IF_ERROR(ValidateCollectionName(name));
    bool dropped = false;
    PLINTH_RETURN_IF_ERROR(WriteIn(session_, [&](Connection& conn) -> Status {
      PLINTH_ASSIGN_OR_RETURN(std::optional<CollectionInfo> info,
                              LoadCollection(conn, database, name));
      if (!info) return Status::Ok();
      dropped = true;
      return RemoveCollection(conn, *info);
    }));
    return dropped;
  }

  Result<bool> DropDatabase(const std::string& database) override {
    PLINTH_RETURN_IF_ERROR(ValidateDatabaseName(database));
    bool dropped = false;
    Status status = WriteIn(session_, [&](Connection& conn) -> Status {
      PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> names, ListCollectionNames(conn, database));
      for (const std::string& name : names) {
        PLINTH_ASSIGN_OR_RETURN(std::optional<CollectionInfo> info,
                                LoadCollection(conn, database, name));
        if (!info) continue;
        dropped = true;
        PLINTH_RETURN_IF_ERROR(RemoveCollection(conn, *info));
      }
      return Status::Ok();
    });
    if (!status.ok()) return status;
    return dropped;
  }

  Status RenameCollection(const std::string& database, const std::string& from,
                          const std::string& to, bool drop_target) override {
    PLINTH_RETURN_IF_ERROR(ValidateDatabaseName(database));
    PLINTH_RETURN_IF_ERROR(ValidateCollectionName(from));
    PLINTH_RETURN_IF_ERROR(ValidateCollectionName(to));
    if (from == to) {
      return Status(base::ErrorCode::kIllegalOperation,
                    "Can't rename a collection to itself: " + database + "." + from);
    }
    return WriteIn(session_, [&](Connection& conn) -> Status {
      PLINTH_ASSIGN_OR_RETURN(std::optional<CollectionInfo> source,
                              LoadCollection(conn, database, from));
      if (!source) {
        return Status(base::ErrorCode::kNamespaceNotFound,
                      "Source collection " + database + "." + from + " does not exist");
      }
      PLINTH_ASSIGN_OR_RETURN(std::optional<CollectionInfo> target,
                              LoadCollection(conn, database, to));
      if (target) {
        if (!drop_target) {
          return Status(base::ErrorCode::kNamespaceExists,
                        "target namespace exists: " + database + "." + to);
        }
        PLINTH_RETURN_IF_ERROR(RemoveCollection(conn, *target));
      }
      return RenameCollectionRow(conn, *source, to);
    });
  }

  Status RunTransaction(const std::function<Status(Engine& transaction)>& body) override {
    if (session_.txn != nullptr) {
      // Nested: a savepoint inside the open transaction.
      return WriteIn(session_, [&](Connection&) { return body(*this); });
    }
    std::lock_guard lock(session_.core->writer_mu());
    Connection& conn = session_.core->writer();
    PLINTH_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
    EngineView view(Session{session_.core, &conn});
    Status status = EndTransaction(conn, body(view));
    session_.core->BumpWriteVersion();
    return status;
  }

  std::optional<std::uint64_t> WriteVersion() const override {
    return session_.core->write_version();
  }

  // See SqliteQueryPlan.
  Result<std::string> QueryPlan(const std::string& database, const std::string& name,
                                const matcher::Matcher& matcher) {
    std::string plan;
    PLINTH_RETURN_IF_ERROR(ReadIn(session_, [&](Connection& conn) -> Status {
      SqlRecordStore store(&conn, database, name);
      PLINTH_RETURN_IF_ERROR(store.Matching(matcher).status());
      plan = store.last_plan();
      return Status::Ok();
    }));
    return plan;
  }

  std::unique_ptr<Stage> NewStage() override { return MakeStage(session_.core); }

 protected:
  Session session_;
};

// ---------------------------------------------------------------------------
// Staged writes: an in-memory overlay over the committed data.

// Records ids above this are the stage's own inserts (virtual rids).
constexpr std::int64_t kInsertedBase = std::int64_t{1} << 62;

struct Overlay {
  struct Change {
    std::optional<doc::Document> doc;  // nullopt: deleted
    doc::Document original;            // the committed document when first touched
  };
  std::map<std::int64_t, Change> changed;              // committed rid -> change
  std::vector<std::optional<doc::Document>> inserted;  // nullopt: deleted again
  bool empty() const { return changed.empty() && inserted.empty(); }
};

struct StageState {
  std::shared_ptr<Core> core;
  std::map<std::pair<std::string, std::string>, Overlay> overlays;
};

// RecordStore merging the committed data (read in a fresh snapshot) with a
// collection's overlay.
class OverlayRecordStore final : public RecordStore {
 public:
  OverlayRecordStore(StageState* state, std::string database, std::string name)
      : state_(state),
        database_(std::move(database)),
        name_(std::move(name)),
        overlay_(&state->overlays[{database_, name_}]) {}

  Result<std::vector<Row>> Matching(const matcher::Matcher& matcher) override {
    std::vector<Row> base;
    PLINTH_RETURN_IF_ERROR(ReadIn(Session{state_->core, nullptr}, [&](Connection& conn) -> Status {
      SqlRecordStore store(&conn, database_, name_);
      PLINTH_ASSIGN_OR_RETURN(base, store.Matching(matcher));
      return Status::Ok();
    }));
    std::vector<Row> rows;
    auto change = overlay_->changed.begin();
    auto flush_changes_below = [&](std::int64_t rid) {
      for (; change != overlay_->changed.end() && change->first < rid; ++change) {
        if (change->second.doc && matcher.Matches(*change->second.doc)) {
          rows.push_back(Row{change->first, *change->second.doc});
        }
      }
    };
    for (Row& row : base) {
      flush_changes_below(row.rid);
      if (overlay_->changed.count(row.rid) != 0) continue;
      rows.push_back(std::move(row));
    }
    flush_changes_below(kInsertedBase);
    for (std::size_t i = 0; i < overlay_->inserted.size(); ++i) {
      const auto& doc = overlay_->inserted[i];
      if (doc && matcher.Matches(*doc)) {
        rows.push_back(Row{kInsertedBase + static_cast<std::int64_t>(i), *doc});
      }
    }
    return rows;
  }

  Result<std::int64_t> Count() override {
    std::int64_t count = 0;
    PLINTH_RETURN_IF_ERROR(ReadIn(Session{state_->core, nullptr}, [&](Connection& conn) -> Status {
      SqlRecordStore store(&conn, database_, name_);
      PLINTH_ASSIGN_OR_RETURN(count, store.Count());
      return Status::Ok();
    }));
    for (const auto& [rid, change] : overlay_->changed) {
      if (!change.doc) --count;
    }
    for (const auto& document : overlay_->inserted) {
      if (document) ++count;
    }
    return count;
  }

  Status Insert(const doc::Document& document) override {
    // _id must stay unique among what the stage sees; Commit re-checks
    // every unique index.
    PLINTH_ASSIGN_OR_RETURN(auto by_id,
                            matcher::Matcher::Parse(doc::Document{{"_id", *document.Get("_id")}}));
    PLINTH_ASSIGN_OR_RETURN(std::vector<Row> same, Matching(*by_id));
    if (!same.empty()) {
      IndexInfo id_index;
      id_index.name = "_id_";
      id_index.fields.push_back(KeyField{doc::FieldPath::Parse("_id").value(), false});
      return DuplicateKeyError(database_, name_, id_index, document);
    }
    overlay_->inserted.emplace_back(document);
    return Status::Ok();
  }

  Status Replace(const Row& row, const doc::Document& document) override {
    PLINTH_RETURN_IF_ERROR(doc::CheckLimits(document, doc::Limits{}));
    Set(row, document);
    return Status::Ok();
  }

  Status Remove(const Row& row) override {
    Set(row, std::nullopt);
    return Status::Ok();
  }

 private:
  void Set(const Row& row, std::optional<doc::Document> document) {
    if (row.rid >= kInsertedBase) {
      overlay_->inserted[static_cast<std::size_t>(row.rid - kInsertedBase)] = std::move(document);
      return;
    }
    auto it = overlay_->changed.find(row.rid);
    if (it == overlay_->changed.end()) {
      overlay_->changed.emplace(row.rid, Overlay::Change{std::move(document), row.doc});
    } else {
      it->second.doc = std::move(document);
    }
  }

  StageState* state_;
  std::string database_;
  std::string name_;
  Overlay* overlay_;
};

class StageCollection final : public StoreCollection {
 public:
  StageCollection(StageState* state, std::string database, std::string name)
      : StoreCollection(std::move(database), std::move(name)), state_(state) {}

  Result<std::string> CreateIndex(const IndexSpec&) override { return NotInStage("createIndex"); }
  Result<std::vector<doc::Document>> ListIndexes() override {
    return ListIndexesIn(Session{state_->core, nullptr}, database(), name());
  }
  Status DropIndex(const std::string&) override { return NotInStage("dropIndex"); }

 protected:
  Status WithRead(const StoreFunction& body) override {
    OverlayRecordStore store(state_, database(), name());
    return body(store);
  }
  Status WithWrite(const StoreFunction& body) override {
    // All or nothing: work on a copy of the overlay.
    const auto key = std::make_pair(database(), name());
    Overlay saved = state_->overlays[key];
    OverlayRecordStore store(state_, database(), name());
    Status status = body(store);
    if (!status.ok()) state_->overlays[key] = std::move(saved);
    return status;
  }
  OperationContext context() override { return state_->core->context(); }
  Status WithReadOf(const std::string& collection, const StoreFunction& body) override {
    OverlayRecordStore store(state_, database(), collection);
    return body(store);
  }

 private:
  StageState* state_;
};

class StageView final : public Engine {
 public:
  explicit StageView(StageState* state) : state_(state) {}

  Result<std::shared_ptr<Collection>> GetCollection(const std::string& database,
                                                    const std::string& name) override {
    PLINTH_RETURN_IF_ERROR(ValidateDatabaseName(database));
    PLINTH_RETURN_IF_ERROR(ValidateCollectionName(name));
    return std::shared_ptr<Collection>(std::make_shared<StageCollection>(state_, database, name));
  }
  Result<std::vector<std::string>> ListDatabases() override {
    return EngineView(Session{state_->core, nullptr}).ListDatabases();
  }
  Result<std::vector<std::string>> ListCollections(const std::string& database) override {
    return EngineView(Session{state_->core, nullptr}).ListCollections(database);
  }
  Result<bool> DropCollection(const std::string&, const std::string&) override {
    return NotInStage("dropCollection");
  }
  Result<bool> DropDatabase(const std::string&) override { return NotInStage("dropDatabase"); }
  Status RenameCollection(const std::string&, const std::string&, const std::string&,
                          bool) override {
    return NotInStage("renameCollection");
  }
  Status RunTransaction(const std::function<Status(Engine&)>&) override {
    return NotInStage("a transaction");
  }
  std::unique_ptr<Stage> NewStage() override { return MakeStage(state_->core); }

 private:
  StageState* state_;
};

Status ApplyOverlay(Connection& conn, const std::string& database, const std::string& name,
                    const Overlay& overlay) {
  SqlRecordStore store(&conn, database, name);
  for (const auto& [rid, change] : overlay.changed) {
    PLINTH_ASSIGN_OR_RETURN(std::optional<std::string> current, store.RawDocument(rid));
    PLINTH_ASSIGN_OR_RETURN(std::string original, doc::ToBson(change.original));
    if (!current || *current != original) {
      return Status(
          base::ErrorCode::kWriteConflict,
          "a staged write conflicts with a concurrent change to " + database + "." + name);
    }
    const Row row{rid, change.original};
    if (change.doc) {
      PLINTH_RETURN_IF_ERROR(store.Replace(row, *change.doc));
    } else {
      PLINTH_RETURN_IF_ERROR(store.Remove(row));
    }
  }
  for (const auto& document : overlay.inserted) {
    if (document) PLINTH_RETURN_IF_ERROR(store.Insert(*document));
  }
  return Status::Ok();
}

class SqliteStage final : public Stage {
 public:
  explicit SqliteStage(std::shared_ptr<Core> core) : view_(&state_) {
    state_.core = std::move(core);
  }

  Engine& view() override { return view_; }

  Status Commit(const std::function<Status(Engine& transaction)>& also) override {
    EngineView engine(Session{state_.core, nullptr});
    Status status = engine.RunTransaction([&](Engine& transaction) -> Status {
      Connection& conn = state_.core->writer();
      for (const auto& [key, overlay] : state_.overlays) {
        if (overlay.empty()) continue;
        PLINTH_RETURN_IF_ERROR(ApplyOverlay(conn, key.first, key.second, overlay));
      }
      if (also) PLINTH_RETURN_IF_ERROR(also(transaction));
      return Status::Ok();
    });
    if (status.ok()) state_.overlays.clear();
    return status;
  }

  void Discard() override { state_.overlays.clear(); }

 private:
  StageState state_;
  StageView view_;
};

std::unique_ptr<Stage> MakeStage(std::shared_ptr<Core> core) {
  return std::make_unique<SqliteStage>(std::move(core));
}

}  // namespace
}  // namespace sqlite

base::Result<std::string> SqliteQueryPlan(Engine& engine, const std::string& database,
                                          const std::string& collection,
                                          const doc::Document& filter) {
  auto* view = dynamic_cast<sqlite::EngineView*>(&engine);
  if (view == nullptr) return base::BadValue("not a SQLite engine");
  PLINTH_ASSIGN_OR_RETURN(auto matcher, matcher::Matcher::Parse(filter));
  return view->QueryPlan(database, collection, *matcher);
}

base::Result<std::unique_ptr<Engine>> OpenSqliteEngine(const SqliteOptions& options) {
  std::string path = options.file.string();
  bool temporary = false;
  if (path.empty()) {
    base::Random* random = options.random ? options.random : base::SystemRandom::Default();
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    // A private name from the system CSPRNG, so engines in parallel (and
    // seeded test randoms) never share a file.
    (void)random;
    path = (dir / ("plinth-mem-" + base::SystemRandom::Default()->Hex(12) + ".db")).string();
    temporary = true;
  }
  auto core = std::make_shared<sqlite::Core>(options, path, temporary);
  PLINTH_RETURN_IF_ERROR(core->Open());
  return std::unique_ptr<Engine>(
      std::make_unique<sqlite::EngineView>(sqlite::Session{std::move(core), nullptr}));
}

}  // namespace plinth::storage
