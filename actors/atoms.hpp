#pragma once

#include <caf/atom.hpp>

namespace tether {

// Atoms name the intent of a message whose data alone would be ambiguous.
using invoke_atom = caf::atom_constant<caf::atom("invoke")>;
using open_atom = caf::atom_constant<caf::atom("open")>;
using part_atom = caf::atom_constant<caf::atom("part")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using credit_atom = caf::atom_constant<caf::atom("credit")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using too_big_atom = caf::atom_constant<caf::atom("too_big")>;
using drained_atom = caf::atom_constant<caf::atom("drained")>;
using joined_atom = caf::atom_constant<caf::atom("joined")>;
using signal_atom = caf::atom_constant<caf::atom("signal")>;
using attach_atom = caf::atom_constant<caf::atom("attach")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using detach_atom = caf::atom_constant<caf::atom("detach")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using push_atom = caf::atom_constant<caf::atom("push")>;
using auth_atom = caf::atom_constant<caf::atom("auth")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using left_atom = caf::atom_constant<caf::atom("left")>;
using broadcast_atom = caf::atom_constant<caf::atom("broadcast")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using grace_atom = caf::atom_constant<caf::atom("grace")>;
using stall_atom = caf::atom_constant<caf::atom("stall")>;
using attached_atom = caf::atom_constant<caf::atom("attached")>;
using detached_atom = caf::atom_constant<caf::atom("detached")>;
using released_atom = caf::atom_constant<caf::atom("released")>;
using end_atom = caf::atom_constant<caf::atom("end")>;
using reserve_atom = caf::atom_constant<caf::atom("reserve")>;
using saved_atom = caf::atom_constant<caf::atom("saved")>;
using line_atom = caf::atom_constant<caf::atom("line")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using restore_atom = caf::atom_constant<caf::atom("restore")>;
using hello_atom = caf::atom_constant<caf::atom("hello")>;
using members_atom = caf::atom_constant<caf::atom("members")>;
using connected_atom = caf::atom_constant<caf::atom("connected")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;
using member_atom = caf::atom_constant<caf::atom("member")>;
using address_atom = caf::atom_constant<caf::atom("address")>;
using locate_atom = caf::atom_constant<caf::atom("locate")>;
using freeze_atom = caf::atom_constant<caf::atom("freeze")>;
using moved_atom = caf::atom_constant<caf::atom("moved")>;
using thaw_atom = caf::atom_constant<caf::atom("thaw")>;
using migrate_atom = caf::atom_constant<caf::atom("migrate")>;
using handover_atom = caf::atom_constant<caf::atom("handover")>;
using import_atom = caf::atom_constant<caf::atom("import")>;
using switched_atom = caf::atom_constant<caf::atom("switched")>;
using info_atom = caf::atom_constant<caf::atom("info")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using polled_atom = caf::atom_constant<caf::atom("polled")>;

} // namespace tether
