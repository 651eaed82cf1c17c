#pragma once

// The sessions over Beast's in-memory stream, for tests: a connected pair of
// `test_stream`s is a socket and its peer, with no real network, run by an
// `io_context` on the test's own thread. Only tests include this header;
// test_stream.cpp compiles the sessions for it apart from the node's code.

#include <boost/beast/_experimental/test/stream.hpp>

#include "tether/transport/http_session.hpp"
#include "tether/transport/websocket_session.hpp"

namespace tether::transport {

/// One end of an in-memory connection; `connect` joins two.
using test_stream = beast::test::stream;

extern template class http_session<test_stream>;
extern template class websocket_session<test_stream>;

} // namespace tether::transport
