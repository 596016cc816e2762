#include "storage/cursor.h"

namespace plinth::storage {

base::Result<std::vector<doc::Document>> ReadAll(Cursor* cursor) {
  std::vector<doc::Document> out;
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(bool more, cursor->NextBatch(&out));
    if (!more) break;
  }
  return out;
}

}  // namespace plinth::storage
