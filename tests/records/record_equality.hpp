#pragma once

// Equality of records field by field (a field an inspect() forgets shows as
// a mismatch), and Catch printing through CAF's inspect(), for the records
// and store tests.

#include <string>

#include <caf/deep_to_string.hpp>
#include <catch2/catch.hpp>

#include "tether/records/records.hpp"

namespace tether::records {

inline bool operator==(const kept_frame& x, const kept_frame& y) {
  return x.seq == y.seq && x.counted == y.counted && x.answers == y.answers &&
         x.request_id == y.request_id && x.bytes == y.bytes;
}

inline bool operator==(const line_record& x, const line_record& y) {
  return x.number == y.number && x.generation == y.generation &&
         x.next_seq == y.next_seq && x.acked == y.acked &&
         x.seq_limit == y.seq_limit && x.broken == y.broken &&
         x.detached_since_ms == y.detached_since_ms && x.kept == y.kept;
}

inline bool operator==(const session_record& x, const session_record& y) {
  return x.id == y.id && x.key == y.key && x.info == y.info &&
         x.next_line == y.next_line && x.idle_since_ms == y.idle_since_ms &&
         x.rooms == y.rooms && x.lines == y.lines;
}

inline bool operator==(const room_member_record& x,
                       const room_member_record& y) {
  return x.id == y.id && x.info == y.info && x.position == y.position;
}

inline bool operator==(const room_record& x, const room_record& y) {
  return x.id == y.id && x.type == y.type && x.owner == y.owner &&
         x.max_members == y.max_members && x.ttl_s == y.ttl_s &&
         x.presence == y.presence && x.props == y.props &&
         x.members == y.members && x.empty_since_ms == y.empty_since_ms;
}

} // namespace tether::records

namespace Catch {

template <class T> struct record_printer {
  static std::string convert(const T& x) { return caf::deep_to_string(x); }
};

template <>
struct StringMaker<tether::records::kept_frame>
    : record_printer<tether::records::kept_frame> {};
template <>
struct StringMaker<tether::records::line_record>
    : record_printer<tether::records::line_record> {};
template <>
struct StringMaker<tether::records::session_record>
    : record_printer<tether::records::session_record> {};
template <>
struct StringMaker<tether::records::room_member_record>
    : record_printer<tether::records::room_member_record> {};
template <>
struct StringMaker<tether::records::room_record>
    : record_printer<tether::records::room_record> {};

} // namespace Catch
