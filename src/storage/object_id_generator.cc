#include "storage/object_id_generator.h"

namespace plinth::storage {

ObjectIdGenerator::ObjectIdGenerator(const base::Clock* clock, base::Random* random)
    : clock_(clock) {
  random->Fill(process_, sizeof process_);
  std::uint32_t start = 0;
  random->Fill(&start, sizeof start);
  counter_.store(start & 0xFFFFFF);
}

doc::ObjectId ObjectIdGenerator::Next() {
  const auto seconds = static_cast<std::uint32_t>(clock_->NowMillis() / 1000);
  const std::uint32_t count = counter_.fetch_add(1) & 0xFFFFFF;
  std::array<std::uint8_t, 12> bytes{};
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<std::uint8_t>(seconds >> (24 - 8 * i));
  for (int i = 0; i < 5; ++i) bytes[4 + i] = process_[i];
  for (int i = 0; i < 3; ++i) bytes[9 + i] = static_cast<std::uint8_t>(count >> (16 - 8 * i));
  return doc::ObjectId(bytes);
}

}  // namespace plinth::storage
