// The fuzz targets in the normal build: each committed seed of
// tests/fuzz/corpus/<target>/ goes through the target's own entry point
// (renamed from LLVMFuzzerTestOneInput by tests/fuzz/CMakeLists.txt), so
// that every input a fuzz run found a bug with stays a regression test
// under g++ and the sanitizer builds, without clang or libFuzzer.
//
//   fuzz_corpus_tests TARGET DIR

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#define TETHER_FUZZ_TARGETS(X)                                                 \
  X(codec) X(jwt) X(stream_token) X(hello_auth) X(http) X(connection)

#define TETHER_DECLARE(name)                                                   \
  extern "C" int tether_fuzz_##name(const uint8_t* data, size_t size);
TETHER_FUZZ_TARGETS(TETHER_DECLARE)
#undef TETHER_DECLARE

namespace {

using entry = int (*)(const uint8_t*, size_t);

entry entry_of(const std::string& target) {
#define TETHER_MATCH(name)                                                     \
  if (target == #name)                                                         \
    return tether_fuzz_##name;
  TETHER_FUZZ_TARGETS(TETHER_MATCH)
#undef TETHER_MATCH
  return nullptr;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TARGET CORPUS_DIR\n", argv[0]);
    return 2;
  }
  auto run = entry_of(argv[1]);
  if (run == nullptr) {
    std::fprintf(stderr, "no fuzz target named %s\n", argv[1]);
    return 2;
  }
  std::vector<std::filesystem::path> inputs;
  for (const auto& e : std::filesystem::directory_iterator{argv[2]})
    if (e.is_regular_file())
      inputs.push_back(e.path());
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::fprintf(stderr, "no seeds in %s\n", argv[2]);
    return 1;
  }
  for (const auto& path : inputs) {
    // Named first: a seed that crashes the process is the last one named.
    std::printf("%s\n", path.filename().c_str());
    std::fflush(stdout);
    std::ifstream in{path, std::ios::binary};
    std::string bytes{std::istreambuf_iterator<char>{in}, {}};
    run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%zu seeds of %s replayed\n", inputs.size(), argv[1]);
  return 0;
}
