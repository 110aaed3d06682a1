#pragma once
// The report page's own script and style sheet (report.js, report.css), compiled in so that
// mas-run needs no files of its own at run time.

#include <string_view>

namespace mas::runner {

[[nodiscard]] std::string_view report_script();
[[nodiscard]] std::string_view report_style();

}  // namespace mas::runner
