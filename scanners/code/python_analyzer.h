#pragma once
// Finds insecure Python: a light data-flow analysis over the token stream that knows where
// untrusted input comes from (Flask/Django request objects, route parameters, input(),
// sys.argv), how strings are built from it (f-strings, %, .format, +), which calls sanitise it
// (escape, secure_filename, int, ...) and which calls are sinks (cursor.execute,
// render_template_string, os.system, pickle.loads, ...). It tells `cursor.execute(q, params)`
// from an f-string query. Scope-insensitive and flow-insensitive by design: dataset code is
// short, and a sound analysis is not needed to rank a training example as insecure.

#include <string_view>

#include "scanners/code/code_issue.h"

namespace alignwatch::scan::python {

// Appends the issues found in `code` to `issues`. Never fails; malformed code is analysed as
// far as it goes.
void analyze_python(std::string_view code, CodeIssues& issues);

}  // namespace alignwatch::scan::python
