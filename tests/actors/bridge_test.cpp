#include "tether/actors/bridge.hpp"

#include <catch2/catch.hpp>

#include "tether/tests/actors/recording_channel.hpp"

using namespace tether;

TEST_CASE("a bridge's backlog is what it handed over less what the socket "
          "retired") {
  auto ch = std::make_shared<test::recording_channel>();
  bridge b{ch, "c-1", 4};
  b.send(transport::make_shared_bytes(std::string(100, 'x')));
  b.send(transport::make_shared_bytes(std::string(50, 'y')));
  CHECK(b.backlog() == 150);
  ch->retired = 100;
  CHECK(b.backlog() == 50);
  b.close(transport::make_shared_bytes(std::string(10, 'z')));
  CHECK(ch->closed);
  CHECK(b.backlog() == 60);
  // A retired count ahead of the handed one (another writer's bytes landed
  // first) is no backlog, never a huge one.
  ch->retired = 1000;
  CHECK(b.backlog() == 0);
}

TEST_CASE("handled messages are told to the socket in groups") {
  auto ch = std::make_shared<test::recording_channel>();
  bridge b{ch, "c-1", 4};
  for (int i = 0; i < 3; ++i)
    b.message_handled();
  CHECK(ch->handled == 0);
  b.message_handled();
  CHECK(ch->handled == 4);
  for (int i = 0; i < 9; ++i)
    b.message_handled();
  CHECK(ch->handled == 12);
}

TEST_CASE("the bridge table finds a connection's bridge while it lives") {
  bridge_table table;
  auto b = std::make_shared<bridge>(std::make_shared<test::recording_channel>(),
                                    "n-7", 32);
  table.add(b);
  CHECK(table.find("n-7") == b);
  CHECK(table.find("n-8") == nullptr);
  table.remove("n-7");
  CHECK(table.find("n-7") == nullptr);
  table.add(b);
  b.reset(); // The connection is gone: the table holds no socket alive.
  CHECK(table.find("n-7") == nullptr);
}
