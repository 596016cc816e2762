#pragma once

#include <string>
#include <string_view>

namespace plinth::storage {

// Where an app's data lives in the embedded store (DECISIONS 10: apps are
// separate namespaces). An app's `<db>.<coll>` of any linked MongoDB data
// source is the store collection "<db>.<coll>" in the store database named
// after the app id, so ListCollections of one app never shows another's.
// Plinth's own records live in "__plinth" instead (auth/auth_records.h).
struct StoreNamespace {
  std::string database;
  std::string collection;
};

inline StoreNamespace AppNamespace(std::string_view app_id, std::string_view database,
                                   std::string_view collection) {
  std::string name(database);
  name += '.';
  name += collection;
  return {std::string(app_id), std::move(name)};
}

}  // namespace plinth::storage
