#pragma once

#include <string>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// Environment templates in config files (app-config §1.8): a string field may
// contain `%(%%environment.values.<name>)`, replaced once, at load time, by
// that value of the active environment (a dotted <name> reaches into nested
// documents). The value must be a string, an integer or a boolean; it is
// spliced into the surrounding text. Object keys are never expanded, nor are
// function sources, plinth.json or secrets.
//
// `env_file` names the active environment file for messages. An undefined
// value or a non-scalar one is an error at the field's dotted path.
// Stateless; thread-safe for distinct arguments.
void ExpandEnvironmentTemplates(doc::Value* json, const doc::Document& env_values,
                                const std::string& env_file, FileDiagnostics* diag);

}  // namespace plinth::config
