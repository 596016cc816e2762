#pragma once

// Test-only: a document holding one value of every BSON type Plinth models,
// for round-trip and size tests across the doc/ test files.
#include <cstdint>
#include <limits>
#include <string>

#include "doc/value.h"

namespace plinth::doc {

inline Document EveryType() {
  return Document{{"d", 1.5},
                  {"nan", std::numeric_limits<double>::quiet_NaN()},
                  {"s", "x"},
                  {"nul", std::string("a\0b", 3)},
                  {"o", Document{{"i", std::int32_t{1}}}},
                  {"a", Array{std::int64_t{2}, Null{}, Array{}}},
                  {"oid", *ObjectId::FromHex("5f0c1d6e7a8b9c0d1e2f3a4b")},
                  {"b", true},
                  {"t", DateTime{1700000000000}},
                  {"r", Regex{"^a", "i"}},
                  {"code", JavaScriptCode{"f()"}},
                  {"ts", Timestamp{1, 2}},
                  {"dec", Decimal128{0x3040000000000000ull, 1}},
                  {"bin", Binary{4, "abc"}},
                  {"old", Binary{2, "abcd"}},
                  {"u", Undefined{}},
                  {"n", Null{}},
                  {"min", MinKey{}},
                  {"max", MaxKey{}}};
}

}  // namespace plinth::doc
