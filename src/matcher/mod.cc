#include "matcher/mod.h"

#include <cstdint>
#include <string>
#include <vector>

#include "matcher/numbers.h"

namespace plinth::matcher {
namespace {

class Mod final : public ValuePredicate {
 public:
  Mod(std::int64_t divisor, std::int64_t remainder) : divisor_(divisor), remainder_(remainder) {}

  bool Test(const doc::Value& value) const override {
    std::int64_t dividend = 0;
    const Truncation t = TruncateToInt64(value, &dividend);
    // Out-of-range doubles take their saturated value, as MongoDB's
    // conversion to a long does; NaN and infinities match nothing.
    if (t != Truncation::kOk && t != Truncation::kOutOfRange) return false;
    // INT64_MIN % -1 overflows in C++; mathematically it is 0.
    const std::int64_t r = divisor_ == -1 ? 0 : dividend % divisor_;
    return r == remainder_;
  }

 private:
  std::int64_t divisor_;
  std::int64_t remainder_;
};

base::Result<std::int64_t> Argument(const doc::Value& v, const char* what) {
  std::int64_t out = 0;
  switch (TruncateToInt64(v, &out)) {
    case Truncation::kOk:
      return out;
    case Truncation::kNotNumber:
      return base::BadValue(std::string("malformed mod, ") + what + " not a number");
    case Truncation::kNotFinite:
      return base::BadValue(std::string("malformed mod, ") + what +
                            " value is invalid: NaN and Infinity are not allowed");
    case Truncation::kOutOfRange:
      break;
  }
  return base::BadValue(std::string("malformed mod, ") + what +
                        " value is invalid: it cannot be represented as a 64-bit integer");
}

}  // namespace

base::Result<std::shared_ptr<const ValuePredicate>> ParseMod(const doc::Value& operand) {
  const auto* args = operand.get_if<doc::Array>();
  if (args == nullptr) return base::BadValue("malformed mod, needs to be an array");
  if (args->size() < 2) return base::BadValue("malformed mod, not enough elements");
  if (args->size() > 2) return base::BadValue("malformed mod, too many elements");
  PLINTH_ASSIGN_OR_RETURN(std::int64_t divisor, Argument((*args)[0], "divisor"));
  PLINTH_ASSIGN_OR_RETURN(std::int64_t remainder, Argument((*args)[1], "remainder"));
  if (divisor == 0) return base::BadValue("divisor cannot be 0");
  return std::shared_ptr<const ValuePredicate>(std::make_shared<Mod>(divisor, remainder));
}

}  // namespace plinth::matcher
