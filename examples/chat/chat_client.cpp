// A command-line chat client: joins the lobby of a chat_node, prints what
// others say and who comes and goes, and sends each line you type.
//
//   chat_client ws://127.0.0.1:9000/ws NAME

#include <iostream>
#include <thread>

#include "clients/cpp/client.hpp"

using tether::codec::value;

namespace {

std::string text_of(const value& payload) {
  std::string text;
  tether::codec::lookup(payload, "text").convert_to(text);
  return text;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: chat_client ws://HOST:PORT/ws NAME\n";
    return 2;
  }
  tether::client::io_thread io;
  std::string error;
  auto c = tether::client::client::open(io, argv[1], error);
  if (!c) {
    std::cerr << "cannot connect to " << argv[1] << ": " << error << '\n';
    return 1;
  }
  std::string name = argv[2];
  auto session = c->open_session(
      tether::codec::map_value{value::map({{"name", value::of(name)}})});
  if (!session) {
    std::cerr << "no session\n";
    return 1;
  }
  std::string room;
  auto lobby = c->call("chat.lobby", {}).get();
  if (!lobby.ok() || !lobby.payload.convert_to(room)) {
    std::cerr << "no lobby: " << lobby.code << '\n';
    return 1;
  }
  auto joined =
      c->call("room.join", value::map({{"room", value::of(room)}})).get();
  if (!joined.ok()) {
    std::cerr << "cannot join: " << joined.code << " " << joined.message
              << '\n';
    return 1;
  }
  std::cout << "joined the lobby as " << name << "; type to talk, Ctrl-D quits"
            << std::endl;
  // Everything the node pushes arrives in order through `next`.
  std::thread printer{[c] {
    while (!c->closed()) {
      auto f = c->next(std::chrono::milliseconds{200});
      if (!f)
        continue;
      if (auto m = std::get_if<tether::codec::room_message>(&*f)) {
        if (m->from.empty())
          std::cout << "* " << text_of(m->payload) << std::endl;
        else {
          std::string who;
          tether::codec::lookup(m->payload, "name").convert_to(who);
          std::cout << "<" << who << "> " << text_of(m->payload) << std::endl;
        }
      }
    }
  }};
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty())
      continue;
    c->call("room.broadcast",
            value::map({{"room", value::of(room)},
                        {"name", value::of(std::string{"chat.say"})},
                        {"payload", value::map({{"name", value::of(name)},
                                                {"text", value::of(line)}})},
                        {"exclude_self", value::of(true)}}))
        .wait();
  }
  c->call("room.leave", value::map({{"room", value::of(room)}})).wait();
  c->close();
  printer.join();
  return 0;
}
