// Calls `greet` on a node: greet_client ws://127.0.0.1:PORT/ws NAME

#include <iostream>

#include "tether/clients/cpp/client.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: greet_client ws://HOST:PORT/ws NAME\n";
    return 2;
  }
  tether::client::io_thread io;
  std::string error;
  auto c = tether::client::client::open(io, argv[1], error);
  if (!c) {
    std::cerr << "cannot connect to " << argv[1] << ": " << error << '\n';
    return 1;
  }
  auto answer =
      c->call("greet", tether::codec::value::of(std::string{argv[2]})).get();
  std::string text;
  if (answer.ok() && answer.payload.convert_to(text)) {
    std::cout << text << '\n';
    return 0;
  }
  std::cerr << "error " << answer.code << ": " << answer.message << '\n';
  return 1;
}
