// The node secret kept in the data dir: made once, read back, and never
// seen half-written by a node starting beside the one that makes it.

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tether/security/stream_token.hpp"
#include "tether/tests/support/temp_dir.hpp"

using namespace tether;

TEST_CASE("the secret file is made owner-only once and read back after") {
  test::temp_dir dir;
  auto file = dir.file("secret");
  std::string error;
  auto made = security::load_or_create_secret(file, error);
  REQUIRE(made);
  CHECK(made->size() == 32);
  namespace fs = std::filesystem;
  CHECK(fs::status(file).permissions() ==
        (fs::perms::owner_read | fs::perms::owner_write));
  auto again = security::load_or_create_secret(file, error);
  REQUIRE(again);
  CHECK(*again == *made);
  // Only the secret is left in the dir: no draft of it.
  CHECK(std::distance(fs::directory_iterator(dir.path()),
                      fs::directory_iterator{}) == 1);
}

TEST_CASE("nodes starting at once on one data dir all get the same secret") {
  // As two test nodes on a fresh checkout's default data dir did: one read
  // the file the other had created and not yet written, and exited 2.
  for (int round = 0; round < 20; ++round) {
    test::temp_dir dir;
    auto file = dir.file("secret");
    constexpr int starters = 8;
    std::atomic<int> ready{0};
    std::vector<std::string> got(starters), errors(starters);
    std::vector<std::thread> threads;
    for (int i = 0; i < starters; ++i)
      threads.emplace_back([&, i] {
        ++ready;
        while (ready.load() < starters)
          std::this_thread::yield();
        if (auto s = security::load_or_create_secret(file, errors[i]))
          got[i] = *s;
      });
    for (auto& t : threads)
      t.join();
    for (int i = 0; i < starters; ++i) {
      INFO("round " << round << " starter " << i << ": " << errors[i]);
      CHECK(got[i].size() == 32);
      CHECK(got[i] == got[0]);
    }
  }
}

TEST_CASE("a secret file without 64 hex digits is an error that names it") {
  test::temp_dir dir;
  auto file = dir.file("secret");
  std::ofstream{file} << "not hex\n";
  std::string error;
  CHECK_FALSE(security::load_or_create_secret(file, error));
  CHECK(error.find(file) != std::string::npos);
}
