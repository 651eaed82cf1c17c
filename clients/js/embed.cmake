# cmake -DINPUT=tether.js -DOUTPUT=bundle_data.cpp -P embed.cmake: the
# bundle as bytes in a C++ source (hex: no delimiter can clash with it).
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(([^,]*,){24})" "\\1\n  " bytes "${bytes}")
file(WRITE ${OUTPUT} "// Generated from tether.js by clients/js/embed.cmake.
#include \"tether/clients/js/bundle.hpp\"

namespace tether::js {
namespace {
const char data[] = {
  ${bytes}};
} // namespace

std::string_view bundle() { return {data, ${size}}; }

} // namespace tether::js
")
