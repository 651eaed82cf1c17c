// A node with its own op: `greet` answers "hello, NAME", or ERROR `invalid`
// without a name. Run it, then `greet_client ws://127.0.0.1:PORT/ws ada`.

#include <iostream>

#include "tether/actors/function_behavior.hpp"
#include "tether/actors/runtime.hpp"

int main(int argc, char** argv) {
  auto parsed = tether::config::parse(argc, argv, "greet_node");
  if (!parsed.opts) {
    std::cerr << parsed.text << '\n';
    return parsed.exit_code;
  }
  tether::runtime node{*parsed.opts};
  // A plain function lifted into a behavior actor: payload in, answer out.
  node.add_behavior(
      "greet",
      tether::lift(
          node.system(),
          tether::request_function{
              [](const tether::request_context&,
                 const tether::codec::value& payload) -> tether::op_result {
                std::string name;
                if (!payload.convert_to(name) || name.empty())
                  return tether::op_error{"invalid", "send a name (str)"};
                return tether::codec::value::of("hello, " + name);
              }}));
  if (auto ec = node.start()) {
    std::cerr << "cannot listen: " << ec.message() << '\n';
    return 1;
  }
  std::cout << "greet_node listening on " << node.url() << std::endl;
  node.run_until_signal();
  return 0;
}
