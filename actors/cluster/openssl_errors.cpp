// A workaround for CAF 0.17's OpenSSL module as Debian builds it (logging
// compiled out). A TLS handshake that fails (a node with a certificate of
// another CA, or one without TLS, knocking on the cluster port) leaves its
// errors in OpenSSL's per-thread error queue: CAF drains that queue only
// inside a log statement, which is compiled out. The next read on any other
// link of that thread then sees the stale error in SSL_get_error and CAF
// drops a healthy link: every failed join made a good node look down.
//
// OpenSSL asks for an empty error queue before each TLS operation. These
// definitions take the place of libssl's (the executable's symbols come
// first in the dynamic lookup) and empty the queue before calling the real
// function. Beast's TLS does the same itself before each operation, so
// clearing again there changes nothing.

#include "tether/actors/cluster/openssl_errors.hpp"

#include <dlfcn.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

/// libssl's own definition of `name`, found once.
template <class Fn> Fn real(const char* name) {
  return reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
}

/// Calls libssl's `name` with a clean error queue.
template <class Fn, class... Ts> int clean_call(Fn fn, Ts... xs) {
  ::ERR_clear_error();
  return fn(xs...);
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto fn = real<int (*)(SSL*, void*, int)>("SSL_read");
  return clean_call(fn, ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto fn = real<int (*)(SSL*, const void*, int)>("SSL_write");
  return clean_call(fn, ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static auto fn = real<int (*)(SSL*)>("SSL_accept");
  return clean_call(fn, ssl);
}

int SSL_connect(SSL* ssl) {
  static auto fn = real<int (*)(SSL*)>("SSL_connect");
  return clean_call(fn, ssl);
}

} // extern "C"

namespace tether {

void keep_openssl_error_queue_clean() {
  // Nothing to do: being called is what links this file in.
}

} // namespace tether
