# Writes OUTPUT, a C++ file defining mas::runner::report_script() and report_style() as the text
# of SCRIPT and STYLE (run at build time, so that an edit of either file rebuilds it).
file(READ "${SCRIPT}" script)
file(READ "${STYLE}" style)
string(FIND "${script}" ")mas_asset" clash_script)
string(FIND "${style}" ")mas_asset" clash_style)
if(NOT clash_script EQUAL -1 OR NOT clash_style EQUAL -1)
  message(FATAL_ERROR "an asset contains the raw string's end )mas_asset")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from report.js and report.css by embed_assets.cmake.\n"
  "#include \"report_assets.hpp\"\n"
  "namespace mas::runner {\n"
  "std::string_view report_script() {\n  static constexpr char text[] = R\"mas_asset(${script})mas_asset\";\n  return {text, sizeof text - 1};\n}\n"
  "std::string_view report_style() {\n  static constexpr char text[] = R\"mas_asset(${style})mas_asset\";\n  return {text, sizeof text - 1};\n}\n"
  "}  // namespace mas::runner\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
