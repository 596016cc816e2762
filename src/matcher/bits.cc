#include "matcher/bits.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "matcher/numbers.h"

namespace plinth::matcher {
namespace {

enum class BitTest : std::uint8_t { kAllSet, kAnySet, kAllClear, kAnyClear };

// Positions are kept as a sorted list, whatever form the mask came in:
// numbers and BinData of any length then share one evaluation.
class BitTestPredicate final : public ValuePredicate {
 public:
  BitTestPredicate(BitTest test, std::vector<std::uint64_t> positions)
      : test_(test), positions_(std::move(positions)) {}

  bool Test(const doc::Value& value) const override {
    if (const auto* b = value.get_if<doc::Binary>()) {
      const std::string& bytes = b->data;
      return Evaluate([&bytes](std::uint64_t p) {
        const std::uint64_t byte = p / 8;
        if (byte >= bytes.size()) return false;
        return ((static_cast<unsigned char>(bytes[byte]) >> (p % 8)) & 1U) != 0;
      });
    }
    const std::optional<std::int64_t> n = ExactInt64(value);
    if (!n) return false;
    const auto bits = static_cast<std::uint64_t>(*n);
    const bool negative = *n < 0;
    return Evaluate([bits, negative](std::uint64_t p) {
      if (p >= 64) return negative;  // sign extension
      return ((bits >> p) & 1U) != 0;
    });
  }

 private:
  template <typename BitAt>
  bool Evaluate(BitAt bit_at) const {
    const bool want_set = test_ == BitTest::kAllSet || test_ == BitTest::kAnySet;
    const bool all = test_ == BitTest::kAllSet || test_ == BitTest::kAllClear;
    for (std::uint64_t p : positions_) {
      const bool ok = bit_at(p) == want_set;
      if (all && !ok) return false;
      if (!all && ok) return true;
    }
    // No positions: "all" holds vacuously, "any" does not.
    return all;
  }

  BitTest test_;
  std::vector<std::uint64_t> positions_;
};

BitTest TestFor(std::string_view name) {
  if (name == "$bitsAllSet") return BitTest::kAllSet;
  if (name == "$bitsAnySet") return BitTest::kAnySet;
  if (name == "$bitsAllClear") return BitTest::kAllClear;
  return BitTest::kAnyClear;
}

}  // namespace

bool IsBitTestOperator(std::string_view name) {
  return name == "$bitsAllSet" || name == "$bitsAnySet" || name == "$bitsAllClear" ||
         name == "$bitsAnyClear";
}

base::Result<std::shared_ptr<const ValuePredicate>> ParseBitTest(std::string_view name,
                                                                 const doc::Value& operand) {
  const std::string op(name);
  std::vector<std::uint64_t> positions;
  if (operand.is_number()) {
    const std::optional<std::int64_t> mask = ExactInt64(operand);
    if (!mask) {
      return base::BadValue(op + " takes a bitmask that must be an integer representable as a " +
                            "64-bit integer");
    }
    if (*mask < 0) return base::BadValue(op + " cannot take a negative number as a bitmask");
    for (std::uint64_t p = 0; p < 63; ++p) {
      if (((static_cast<std::uint64_t>(*mask) >> p) & 1U) != 0) positions.push_back(p);
    }
  } else if (const auto* b = operand.get_if<doc::Binary>()) {
    for (std::uint64_t byte = 0; byte < b->data.size(); ++byte) {
      const auto bits = static_cast<unsigned char>(b->data[byte]);
      for (std::uint64_t bit = 0; bit < 8; ++bit) {
        if (((bits >> bit) & 1U) != 0) positions.push_back(byte * 8 + bit);
      }
    }
  } else if (const auto* a = operand.get_if<doc::Array>()) {
    for (const doc::Value& v : *a) {
      if (!v.is_number()) {
        return base::BadValue(
            op + " bit positions must be numbers, found: " + std::string(doc::TypeName(v.type())));
      }
      const std::optional<std::int64_t> p = ExactInt64(v);
      if (!p) return base::BadValue(op + " bit positions must be integers");
      if (*p < 0) {
        return base::BadValue(op + " bit positions cannot be negative: " + std::to_string(*p));
      }
      positions.push_back(static_cast<std::uint64_t>(*p));
    }
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  } else {
    return base::BadValue(op + " takes an Array, a number, or a BinData but received: " +
                          std::string(doc::TypeName(operand.type())));
  }
  return std::shared_ptr<const ValuePredicate>(
      std::make_shared<BitTestPredicate>(TestFor(name), std::move(positions)));
}

}  // namespace plinth::matcher
