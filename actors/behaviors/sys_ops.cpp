#include "tether/actors/behaviors/sys_ops.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/function_behavior.hpp"
#include "tether/actors/node_figures.hpp"
#include "tether/actors/paced_sender.hpp"
#include "tether/codec/payload_fields.hpp"
#include "tether/config/version.hpp"

namespace tether {

namespace {

/// Identifies one open request across all clients.
using request_key = std::pair<caf::actor_addr, uint64_t>;

request_key key_of(const request_context& ctx) {
  return {ctx.origin.address(), ctx.id};
}

// -- sys.info -----------------------------------------------------------------

/// The owners of the figures `sys.info` reports.
struct info_state {
  static inline const char* name = "tether.sys.info";
  figure_sources sources;
};

/// `sys.info`'s cluster: {node, url, state} for every node known.
codec::value cluster_list(const std::vector<node_entry>& nodes) {
  using codec::value;
  std::vector<value> list;
  for (const auto& n : nodes)
    list.push_back(value::map({{"node", value::of(n.name)},
                               {"url", value::of(n.url)},
                               {"state", value::of(n.state)}}));
  return value::array(list);
}

/// What `sys.info` answers.
codec::value info_reply(const node_figures& x) {
  using codec::value;
  return value::map({{"node", value::of(x.node.node)},
                     {"version", value::of(uint64_t{1})},
                     {"build", value::of(std::string{config::build_version()})},
                     {"uptime_s", value::of(x.node.uptime_s)},
                     {"connections", value::of(x.node.connections)},
                     {"sessions", value::of(x.sessions)},
                     {"rooms", value::of(x.rooms)},
                     {"store", value::of(health_of(x.store))},
                     {"cluster", cluster_list(x.cluster)}});
}

behavior_actor::behavior_type
info_behavior(behavior_actor::stateful_pointer<info_state> self,
              figure_sources sources) {
  self->state.sources = std::move(sources);
  return requests_only(
      [self](invoke_atom, const request_context& ctx, const codec::value&) {
        responder r{ctx};
        gather_figures(
            self, self->state.sources,
            [r](const node_figures& x) { r.reply(info_reply(x)); },
            [r](const caf::error&) {
              r.fail("internal", "statistics unavailable");
            });
      });
}

// -- sys.stream ---------------------------------------------------------------

struct stream_state {
  static inline const char* name = "tether.sys.stream";
  std::map<request_key, caf::actor> senders;
  std::map<caf::actor_addr, request_key> keys;
};

behavior_actor::behavior_type
stream_behavior(behavior_actor::stateful_pointer<stream_state> self,
                uint64_t max_part) {
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto i = st.keys.find(msg.source);
    if (i == st.keys.end())
      return;
    st.senders.erase(i->second);
    st.keys.erase(i);
  });
  return {
      [self, max_part](invoke_atom, const request_context& ctx,
                       const codec::value& payload) {
        responder r{ctx};
        uint64_t count = 0;
        uint64_t size = 0;
        if (!codec::get_uint(payload, "count", count) ||
            !codec::get_uint(payload, "size", size) || count == 0)
          return r.fail("invalid", "expected {count: uint >= 1, size: uint}");
        if (size > max_part)
          return r.fail("invalid", "size may be at most " +
                                       std::to_string(max_part) + " bytes");
        // Every part is the same bytes: encode them once, share them.
        auto part = codec::value::of(std::vector<char>(size, 'x'));
        auto sender = spawn_paced_sender(self->system(), r.origin(), count,
                                         [r, part, count](uint64_t i) {
                                           r.part(part, i + 1 == count);
                                           return part.encoded().size();
                                         });
        self->monitor(sender);
        self->state.senders.emplace(key_of(ctx), sender);
        self->state.keys.emplace(sender.address(), key_of(ctx));
      },
      [](open_atom, const request_context& ctx, const codec::value&) {
        refuse_stream(ctx);
      },
      [](part_atom, const request_context&, const codec::value&, bool) {},
      [self](cancel_atom, const request_context& ctx) {
        auto i = self->state.senders.find(key_of(ctx));
        if (i != self->state.senders.end())
          self->send_exit(i->second, caf::exit_reason::user_shutdown);
      },
      [](signal_atom, const request_context&, const codec::value&) {},
  };
}

// -- sys.sink -----------------------------------------------------------------

struct sink_totals {
  uint64_t parts = 0;
  uint64_t bytes = 0;
};

struct sink_state {
  static inline const char* name = "tether.sys.sink";
  std::map<request_key, sink_totals> open;
};

behavior_actor::behavior_type
sink_behavior(behavior_actor::stateful_pointer<sink_state> self) {
  return {
      [](invoke_atom, const request_context& ctx, const codec::value&) {
        responder{ctx}.fail("invalid", "sys.sink takes a STREAM");
      },
      [self](open_atom, const request_context& ctx,
             const codec::value& payload) {
        self->state.open[key_of(ctx)] =
            sink_totals{1, codec::payload_bytes(payload)};
      },
      [self](part_atom, const request_context& ctx, const codec::value& payload,
             bool last) {
        auto i = self->state.open.find(key_of(ctx));
        if (i == self->state.open.end())
          return;
        i->second.parts += 1;
        i->second.bytes += codec::payload_bytes(payload);
        if (!last)
          return;
        using codec::value;
        responder{ctx}.reply(
            value::map({{"parts", value::of(i->second.parts)},
                        {"bytes", value::of(i->second.bytes)}}));
        self->state.open.erase(i);
      },
      [self](cancel_atom, const request_context& ctx) {
        self->state.open.erase(key_of(ctx));
      },
      [](signal_atom, const request_context&, const codec::value&) {},
  };
}

// -- sys.push -----------------------------------------------------------------

/// SIGNALs a push sends with its REPLY, unpaced: they reach the line right
/// behind it. A node drains once every request is answered and then saves
/// what its lines hold, so a paced sender's first window, still waiting for
/// credit, would be lost at a SIGTERM that came right after the REPLY. A
/// longer push's paced rest ends where the node stops.
constexpr uint64_t push_unpaced = 16;

behavior_actor::behavior_type push_behavior(behavior_actor::pointer self,
                                            uint64_t max_count) {
  return requests_only([self, max_count](invoke_atom,
                                         const request_context& ctx,
                                         const codec::value& payload) {
    responder r{ctx};
    std::string name;
    uint64_t count = 0;
    if (!codec::get_string(payload, "name", name) ||
        !codec::get_uint(payload, "count", count))
      return r.fail("invalid",
                    "expected {name: str, payload: any, count: uint}");
    if (count > max_count)
      return r.fail("invalid",
                    "count must be at most " + std::to_string(max_count));
    auto body = codec::lookup(payload, "payload");
    r.reply(codec::value::empty_map());
    auto unpaced = std::min(count, push_unpaced);
    for (uint64_t i = 0; i < unpaced; ++i)
      r.signal(name, body);
    if (count > unpaced)
      spawn_paced_sender(self->system(), r.origin(), count - unpaced,
                         [r, name, body](uint64_t) {
                           r.signal(name, body);
                           return name.size() + body.encoded().size() + 4;
                         });
  });
}

} // namespace

void add_sys_behaviors(caf::actor_system& sys, behavior_registry& registry,
                       const figure_sources& figures,
                       const config::limits& limits) {
  // Inline: an echo is cheaper than the two actor hops it would take.
  registry.add_inline("sys.echo",
                      [](const request_context&, const codec::value& payload) {
                        return op_result{payload};
                      });
  registry.add("sys.info", sys.spawn(info_behavior, figures));
  // A part must fit in one message with its frame around it.
  auto max_part = limits.max_message > 64 ? limits.max_message - 64 : 0;
  registry.add("sys.stream", sys.spawn(stream_behavior, max_part));
  registry.add("sys.sink", sys.spawn(sink_behavior));
  registry.add("sys.push", sys.spawn(push_behavior, limits.push_max_count));
}

} // namespace tether
