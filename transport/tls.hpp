#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "tether/transport/beast.hpp"

namespace tether::transport {

namespace ssl = boost::asio::ssl;

/// A TLS connection as the node serves it: the socket under OpenSSL.
using tls_stream = beast::ssl_stream<tcp::socket>;

/// A TLS connection as a client makes it, with Beast's timeouts.
using tls_client_stream = beast::ssl_stream<beast::tcp_stream>;

/// The first byte of a TLS handshake record: how one port tells TLS
/// clients from plain ones.
constexpr unsigned char tls_handshake_record = 0x16;

/// A server's TLS configuration: a certificate chain and its key, loaded
/// into a context that new connections take. `reload` swaps in a fresh
/// context; connections made with the old one keep it until they end.
class tls_server {
 public:
  /// Loads `cert_file` (PEM chain) and `key_file`; nullptr and `error`
  /// saying which file failed and why.
  static std::shared_ptr<tls_server>
  load(std::string cert_file, std::string key_file, std::string& error);

  /// The context for the next connection.
  std::shared_ptr<ssl::context> current() const;

  /// Reads the files again; on failure the current context stays and
  /// `error` says why.
  bool reload(std::string& error);

  const std::string& cert_file() const { return cert_file_; }

 private:
  tls_server(std::string cert_file, std::string key_file);

  std::string cert_file_;
  std::string key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<ssl::context> context_;
};

/// What a client checks of a node's certificate.
struct tls_client_options {
  /// Verify the chain and the host name (off only for tests of a
  /// throwaway certificate).
  bool verify = true;
  /// PEM file of the certificate authorities to trust; empty: the
  /// system's.
  std::string ca_file;
};

/// Readies a client's TLS stream for its handshake with `host`: SNI names
/// it (host names only, never addresses) and, with `verify_host`, the
/// certificate must name it.
void prepare_client(tls_client_stream& tls, const std::string& host,
                    bool verify_host);

/// Why the peer's certificate was refused on `tls`; empty when it was not.
std::string refused_certificate(tls_client_stream& tls);

/// A client context for `options`; nullptr and `error` saying why.
std::shared_ptr<ssl::context> make_tls_client(const tls_client_options& options,
                                              std::string& error);

} // namespace tether::transport
