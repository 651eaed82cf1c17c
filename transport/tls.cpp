#include "tether/transport/tls.hpp"

#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace tether::transport {

namespace {

/// Mozilla's "intermediate" TLS 1.2 suites: forward secret, AEAD only.
/// TLS 1.3's suites are OpenSSL's defaults, which are all modern.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// The one protocol the port speaks, in ALPN's wire form.
constexpr unsigned char alpn_http11[] = {8,   'h', 't', 't', 'p',
                                         '/', '1', '.', '1'};

int select_http11(SSL*, const unsigned char** out, unsigned char* outlen,
                  const unsigned char* in, unsigned int inlen, void*) {
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, alpn_http11, sizeof alpn_http11,
                            in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK; // A client offering only h2: no ALPN.
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

/// Applies what both sides share: TLS 1.2 at least, no compression or
/// renegotiation, the modern suites.
void harden(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                  ssl::context::no_tlsv1_1 | ssl::context::no_compression);
  auto* native = ctx.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_cipher_list(native, tls12_ciphers);
}

std::shared_ptr<ssl::context> load_server(const std::string& cert_file,
                                          const std::string& key_file,
                                          std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  harden(*ctx);
  SSL_CTX_set_alpn_select_cb(ctx->native_handle(), select_http11, nullptr);
  error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    error = "cannot use --tls-cert " + cert_file + ": " + ec.message();
  } else {
    ctx->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec)
      error = "cannot use --tls-key " + key_file + ": " + ec.message();
    else if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
      error = "--tls-key " + key_file + " is not the key of --tls-cert " +
              cert_file;
  }
  // What failed left its reasons in this thread's error queue; a later
  // handshake on the thread must not read them as its own.
  ERR_clear_error();
  if (!error.empty())
    return nullptr;
  return ctx;
}

} // namespace

tls_server::tls_server(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

std::shared_ptr<tls_server> tls_server::load(std::string cert_file,
                                             std::string key_file,
                                             std::string& error) {
  std::shared_ptr<tls_server> result{
      new tls_server(std::move(cert_file), std::move(key_file))};
  if (!result->reload(error))
    return nullptr;
  return result;
}

std::shared_ptr<ssl::context> tls_server::current() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return context_;
}

bool tls_server::reload(std::string& error) {
  auto fresh = load_server(cert_file_, key_file_, error);
  if (!fresh)
    return false;
  std::lock_guard<std::mutex> guard{mutex_};
  context_ = std::move(fresh);
  return true;
}

std::shared_ptr<ssl::context> make_tls_client(const tls_client_options& options,
                                              std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  harden(*ctx);
  SSL_CTX_set_alpn_protos(ctx->native_handle(), alpn_http11,
                          sizeof alpn_http11);
  error_code ec;
  if (!options.verify) {
    ctx->set_verify_mode(ssl::verify_none, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (!ec) {
      if (options.ca_file.empty())
        ctx->set_default_verify_paths(ec);
      else
        ctx->load_verify_file(options.ca_file, ec);
    }
  }
  ERR_clear_error();
  if (ec) {
    error = "cannot trust " +
            (options.ca_file.empty() ? std::string{"the system's CAs"}
                                     : options.ca_file) +
            ": " + ec.message();
    return nullptr;
  }
  return ctx;
}

void prepare_client(tls_client_stream& tls, const std::string& host,
                    bool verify_host) {
  error_code ec;
  net::ip::make_address(host, ec);
  // SNI names hosts only, never addresses.
  if (ec)
    SSL_set_tlsext_host_name(tls.native_handle(), host.c_str());
  if (verify_host)
    tls.set_verify_callback(ssl::host_name_verification(host));
}

std::string refused_certificate(tls_client_stream& tls) {
  auto result = SSL_get_verify_result(tls.native_handle());
  return result == X509_V_OK ? std::string{}
                             : X509_verify_cert_error_string(result);
}

} // namespace tether::transport
