// A command-line chat client: joins the lobby of a chat_node, prints what
// others say and who comes and goes (joined, left, away while their
// connection is lost, back), and sends each line you type.
//
//   chat_client ws://127.0.0.1:9000/ws NAME [ROOM]
//
// Without ROOM it joins the node's lobby (`chat.lobby`, a chat_node), or,
// at a plain tether-node, makes a room and prints its id. With ROOM it
// joins that room: in a cluster, from any node (examples/cluster/run.sh).
//
// It keeps its session when the connection drops or the node restarts: it
// says it is reconnecting, comes back where it was (what was said
// meanwhile arrives then), and what you type meanwhile is sent once it is
// back.

#include <iostream>
#include <map>
#include <mutex>

#include "tether/clients/cpp/session_client.hpp"

using tether::codec::value;
using namespace tether::client;
using namespace std::chrono_literals;

namespace {

std::string text_of(const value& payload) {
  std::string text;
  tether::codec::lookup(payload, "text").convert_to(text);
  return text;
}

/// Prints a line at a time: the handlers run on the client's thread.
std::mutex out_mtx;

void say(const std::string& line) {
  std::lock_guard<std::mutex> guard{out_mtx};
  std::cout << line << std::endl;
}

/// Members' names by session id, from their room.joined events (handlers
/// run on the client's one thread: no lock needed).
std::map<std::string, std::string> names;

std::string name_of(const std::string& member) {
  auto i = names.find(member);
  return i == names.end() ? member : i->second;
}

/// Who is away (no connection left) and back, told by the room at once;
/// joins and leaves the chat node's logic announces itself.
void print_presence(const tether::codec::signal& s) {
  std::string member;
  tether::codec::lookup(s.payload, "member").convert_to(member);
  if (s.name == "room.joined") {
    std::string name;
    tether::codec::lookup(tether::codec::lookup(s.payload, "info"), "name")
        .convert_to(name);
    names[member] = name.empty() ? member : name;
    return;
  }
  if (s.name == "room.away")
    return say("* " + name_of(member) + " is away (connection lost)");
  if (s.name == "room.back")
    say("* " + name_of(member) + " is back");
}

void print_message(const tether::codec::frame& f) {
  if (auto s = std::get_if<tether::codec::signal>(&f))
    return print_presence(*s);
  auto m = std::get_if<tether::codec::room_message>(&f);
  if (!m)
    return;
  if (m->from.empty())
    return say("* " + text_of(m->payload));
  std::string who;
  tether::codec::lookup(m->payload, "name").convert_to(who);
  say("<" + who + "> " + text_of(m->payload));
}

value in_room(const std::string& room) {
  return value::map({{"room", value::of(room)}});
}

} // namespace

/// The room to chat in: `given`, else the node's lobby, else a new room
/// (a node without chat_node's lobby); empty with a message on failure.
std::string room_to_join(session_client& chat, const std::string& given) {
  if (!given.empty())
    return given;
  auto lobby = chat.call("chat.lobby", {}).get();
  std::string id;
  if (lobby.ok() && lobby.payload.convert_to(id))
    return id;
  if (lobby.code != "unknown_op") {
    std::cerr << "no lobby: " << lobby.code << '\n';
    return {};
  }
  auto made = chat.call("room.create", value::empty_map()).get();
  if (!made.ok() ||
      !tether::codec::lookup(made.payload, "room").convert_to(id)) {
    std::cerr << "cannot make a room: " << made.code << '\n';
    return {};
  }
  say("* made room " + id +
      "; others join it from any node of the "
      "cluster with: chat_client URL NAME " +
      id);
  return id;
}

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: chat_client ws://HOST:PORT/ws NAME [ROOM]\n";
    return 2;
  }
  std::string name = argv[2];
  io_thread io;
  session_options opts;
  opts.url = argv[1];
  opts.info = tether::codec::map_value{value::map({{"name", value::of(name)}})};
  opts.max_delay = 5s;
  session_client chat{io, opts};
  std::mutex room_mtx;
  std::string room; // The lobby's id, once known.
  chat.on_push(print_message);
  chat.on_event([&](const session_event& e) {
    using kind = session_event::kind;
    switch (e.what) {
    case kind::disconnected:
      return say("* connection lost (" + e.reason + ")");
    case kind::reconnecting:
      return say("* reconnecting to " + e.url + " in " +
                 std::to_string(e.delay.count()) + " ms (attempt " +
                 std::to_string(e.attempt) + ")");
    case kind::resumed:
      return say("* reconnected");
    case kind::resume_gap:
      return say("* reconnected; some messages were lost");
    case kind::new_session:
      // The node forgot us: join again (not waiting here, on the
      // client's thread, for the answer).
      say("* reconnected with a new session; joining the room again");
      if (!room.empty())
        chat.call("room.join", in_room(room));
      return;
    case kind::stopped:
      return say("* disconnected for good: " + e.reason + " (Ctrl-D quits)");
    case kind::connected:
      return;
    }
  });
  chat.start();
  if (!chat.wait_live(10s)) {
    std::cerr << "cannot reach " << opts.url << '\n';
    return 1;
  }
  auto lobby_id = room_to_join(chat, argc == 4 ? argv[3] : "");
  if (lobby_id.empty())
    return 1;
  {
    std::lock_guard<std::mutex> guard{room_mtx};
    room = lobby_id;
  }
  auto joined = chat.call("room.join", in_room(room)).get();
  if (!joined.ok()) {
    std::cerr << "cannot join: " << joined.code << " " << joined.message
              << '\n';
    return 1;
  }
  say("joined " + lobby_id + " as " + name + "; type to talk, Ctrl-D quits");
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty())
      continue;
    // While reconnecting this waits: the line goes out once back.
    auto sent =
        chat.call("room.broadcast",
                  value::map(
                      {{"room", value::of(room)},
                       {"name", value::of(std::string{"chat.say"})},
                       {"payload", value::map({{"name", value::of(name)},
                                               {"text", value::of(line)}})},
                       {"exclude_self", value::of(true)}}))
            .get();
    if (!sent.ok())
      say("* not sent: " + sent.code + " " + sent.message);
  }
  if (chat.state() == session_state::live)
    chat.call("room.leave", in_room(room)).wait_for(2s);
  chat.close();
  return 0;
}
