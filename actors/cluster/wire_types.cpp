#include "tether/actors/cluster/wire_types.hpp"

#include "tether/actors/interfaces.hpp"

namespace tether {

void add_wire_types(caf::actor_system_config& cfg) {
  // Actor handles and the data of the messages between nodes (each also
  // announces its std::vector).
  cfg.add_message_type<session_actor>("tether::session_actor")
      .add_message_type<session_supervisor_actor>(
          "tether::session_supervisor_actor")
      .add_message_type<room_actor>("tether::room_actor")
      .add_message_type<room_service_actor>("tether::room_service_actor")
      .add_message_type<room_relay_actor>("tether::room_relay_actor")
      .add_message_type<client_actor>("tether::client_actor")
      .add_message_type<line_actor>("tether::line_actor")
      .add_message_type<cluster_actor>("tether::cluster_actor")
      .add_message_type<codec::value>("tether::codec::value")
      .add_message_type<codec::reply>("tether::codec::reply")
      .add_message_type<codec::error>("tether::codec::error")
      .add_message_type<codec::retry>("tether::codec::retry")
      .add_message_type<codec::result_part>("tether::codec::result_part")
      .add_message_type<codec::signal>("tether::codec::signal")
      .add_message_type<codec::request>("tether::codec::request")
      .add_message_type<client_answer>("tether::client_answer")
      .add_message_type<encoded_frame>("tether::encoded_frame")
      .add_message_type<room_delivery>("tether::room_delivery")
      .add_message_type<request_context>("tether::request_context")
      .add_message_type<room_fanout>("tether::room_fanout")
      .add_message_type<relay_member>("tether::relay_member")
      .add_message_type<member_moved>("tether::member_moved")
      .add_message_type<node_entry>("tether::node_entry")
      .add_message_type<node_services>("tether::node_services")
      .add_message_type<node_hello>("tether::node_hello")
      .add_message_type<records::kept_frame>("tether::records::kept_frame")
      .add_message_type<records::line_record>("tether::records::line_record")
      .add_message_type<records::session_record>(
          "tether::records::session_record")
      .add_message_type<records::room_member_record>(
          "tether::records::room_member_record")
      .add_message_type<records::room_record>("tether::records::room_record")
      .add_message_type<room_handover>("tether::room_handover");
}

} // namespace tether
