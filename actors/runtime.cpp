#include "tether/actors/runtime.hpp"

#include <algorithm>
#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>

#include "tether/actors/admin/admin_api.hpp"
#include "tether/actors/auth/authenticators.hpp"
#include "tether/actors/behaviors/sys_ops.hpp"
#include "tether/actors/cluster/cluster.hpp"
#include "tether/actors/cluster/openssl_errors.hpp"
#include "tether/actors/cluster/wire_types.hpp"
#include "tether/actors/connection.hpp"
#include "tether/actors/log.hpp"
#include "tether/actors/node.hpp"
#include "tether/actors/reporter.hpp"
#include "tether/actors/rooms/room_relay.hpp"
#include "tether/actors/rooms/room_service.hpp"
#include "tether/actors/session/supervisor.hpp"
#include "tether/actors/store/node_store.hpp"
#include "tether/actors/thread_policy.hpp"
#include "tether/clients/js/bundle.hpp"
#include "tether/codec/encode.hpp"
#include "tether/security/crypto.hpp"
#include "tether/security/stream_token.hpp"
#include "tether/transport/listener.hpp"
#include "tether/transport/static_files.hpp"
#include "tether/transport/tls.hpp"

namespace tether {

namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0')
    return "tether";
  return buf;
}

/// `opts`, once its `log_level` is in force: before the actor system
/// starts its threads, which may already log (SCHED_BATCH refused).
config::options with_log_level(config::options opts) {
  using log::level;
  const auto& x = opts.log_level;
  log::set_level(x == "debug"     ? level::debug
                 : x == "warning" ? level::warning
                 : x == "error"   ? level::error
                                  : level::info);
  log::set_format(opts.log_format == "json" ? log::format::json
                                            : log::format::text);
  return opts;
}

std::unique_ptr<caf::actor_system_config>
make_caf_config(const config::options& opts) {
  auto cfg = std::make_unique<caf::actor_system_config>();
  cfg->set("scheduler.max-threads", static_cast<size_t>(opts.actor_threads));
  cfg->set("scheduler.policy", opts.scheduler == "stealing"
                                   ? caf::atom("stealing")
                                   : caf::atom("sharing"));
  if (opts.sched_batch)
    cfg->add_thread_hook<batch_thread_hook>();
  add_wire_types(*cfg);
  if (opts.clustered()) {
    cfg->load<caf::io::middleman>();
    // Off by default: without them a peer that froze is never noticed.
    cfg->set("middleman.heartbeat-interval",
             caf::timespan{std::chrono::milliseconds{500}});
    cfg->set("middleman.connection-timeout",
             caf::timespan{std::chrono::milliseconds{3000}});
    if (!opts.cluster_tls_cert.empty()) {
      cfg->load<caf::openssl::manager>();
      cfg->openssl_certificate = opts.cluster_tls_cert;
      cfg->openssl_key = opts.cluster_tls_key;
      cfg->openssl_cafile = opts.cluster_tls_ca;
    }
  }
  return cfg;
}

/// The host other nodes reach `listen_host` at: a wildcard address names
/// no host, so the client URL's host stands in for it.
std::string reachable_host(const std::string& host, const std::string& url) {
  if (host != "0.0.0.0" && host != "::" && !host.empty())
    return host;
  auto start = url.find("://");
  auto from = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of(":/", from);
  return url.substr(from, end == std::string::npos ? end : end - from);
}

/// The token secret: given, or kept in the data folder; empty on failure.
std::string token_secret(const config::options& opts) {
  if (!opts.secret.empty()) {
    auto secret = security::from_hex(opts.secret);
    if (!secret)
      throw std::runtime_error("--secret is not 64 hex digits");
    return *secret;
  }
  ::mkdir(opts.data_dir.c_str(), 0700);
  std::string error;
  auto secret =
      security::load_or_create_secret(opts.data_dir + "/secret", error);
  if (!secret)
    throw std::runtime_error(error + " (set --data-dir or --secret)");
  return *secret;
}

/// The rooms of the store with the sessions of their members, looked up
/// once the sessions are back.
std::vector<room_restore>
with_members(caf::actor_system& sys, const session_supervisor_actor& sessions,
             std::vector<records::room_record> rooms) {
  std::vector<std::string> ids;
  for (const auto& r : rooms)
    for (const auto& m : r.members)
      ids.push_back(m.id);
  std::vector<session_actor> found;
  if (!ids.empty()) {
    caf::scoped_actor self{sys};
    self->request(sessions, caf::infinite, get_atom::value, ids)
        .receive([&](std::vector<session_actor>& x) { found = std::move(x); },
                 [](const caf::error&) {});
  }
  std::vector<room_restore> result;
  size_t next = 0;
  for (auto& r : rooms) {
    room_restore x;
    for (size_t i = 0; i < r.members.size(); ++i, ++next)
      x.sessions.push_back(next < found.size() ? found[next] : session_actor{});
    x.record = std::move(r);
    result.push_back(std::move(x));
  }
  return result;
}

class start_category_impl : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "tether.start"; }
  std::string message(int x) const override {
    switch (static_cast<start_errc>(x)) {
    case start_errc::store_unusable:
      return "the store cannot be used";
    case start_errc::secret_unusable:
      return "the token secret cannot be used";
    case start_errc::cluster_unusable:
      return "the cluster port cannot be opened";
    case start_errc::tls_unusable:
      return "the TLS certificate or key cannot be used";
    }
    return "unknown";
  }
};

/// What the node serves to GET: the browser client, and --static's files.
std::shared_ptr<const transport::static_files>
web_files(const config::options& opts) {
  auto files = std::make_shared<transport::static_files>();
  files->add("/tether.js", "text/javascript; charset=utf-8", js::bundle());
  if (!opts.static_dir.empty()) {
    files->serve_directory(opts.static_path, opts.static_dir);
    TETHER_LOG(info, "node",
               "serving " << opts.static_dir << " at " << opts.static_path);
  }
  return files;
}

} // namespace

const boost::system::error_category& start_category() noexcept {
  static start_category_impl instance;
  return instance;
}

runtime::runtime(config::options opts)
    : opts_(with_log_level(std::move(opts))), caf_cfg_(make_caf_config(opts_)),
      system_(std::make_unique<caf::actor_system>(*caf_cfg_)),
      ioc_(std::make_unique<transport::net::io_context>(
          static_cast<int>(std::max(1u, opts_.io_threads)))) {
  if (opts_.node_name.empty())
    opts_.node_name = host_name();
  node_ = spawn_node(*system_, opts_.node_name);
  if (opts_.auth == "jwt")
    authenticator_ = spawn_jwt_authenticator(*system_, opts_.jwt_secret,
                                             opts_.allow_anonymous);
  else
    authenticator_ = spawn_anonymous_authenticator(*system_);
}

void runtime::add_room_type(const std::string& type, room_logic_actor logic,
                            std::chrono::milliseconds tick) {
  room_types_[type] = room_type{std::move(logic), tick};
}

void runtime::set_authenticator(authenticator_actor authenticator) {
  authenticator_ = std::move(authenticator);
}

runtime::~runtime() {
  shutdown();
  // The node's links take down connections a failed drain left behind.
  for (const auto& op : registry_.ops())
    if (auto handler = registry_.find(op))
      caf::anon_send_exit(*handler, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(node_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sessions_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(rooms_, caf::exit_reason::user_shutdown);
  // The actors a node may run without (no store, say) end if there.
  auto stop = [](auto& handle) {
    if (handle)
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
    handle = nullptr;
  };
  stop(relay_);
  stop(cluster_);
  stop(admin_);
  stop(store_);
  stop(reporter_);
  caf::anon_send_exit(authenticator_, caf::exit_reason::user_shutdown);
  for (auto& kv : room_types_)
    caf::anon_send_exit(kv.second.logic, caf::exit_reason::user_shutdown);
  room_types_.clear();
  node_ = nullptr;
  sessions_ = nullptr;
  rooms_ = nullptr;
  authenticator_ = nullptr;
  registry_ = behavior_registry{};
  listener_.reset();
  // Every actor ends before the sockets go: actor states hold channels,
  // and a channel must not outlive its I/O context. Destroying the context
  // then frees the sockets' handlers and their handles to (ended) actors.
  system_->await_all_actors_done();
  ioc_.reset();
  system_.reset();
}

void runtime::add_inline_behavior(const std::string& op, request_function fn) {
  registry_.add_inline(op, std::move(fn));
}

void runtime::set_admission_hook(transport::admission_hook hook) {
  admission_hook_ = std::move(hook);
}

std::shared_ptr<transport::admission> runtime::make_admission() const {
  transport::admission_limits x;
  x.allowed_origins = opts_.allowed_origins;
  x.max_per_ip = opts_.max_connections_per_ip;
  x.max_total = opts_.max_total_connections;
  x.attempts_per_s = static_cast<double>(opts_.connect_rate_per_ip);
  x.attempts_burst = static_cast<double>(opts_.connect_burst_per_ip != 0
                                             ? opts_.connect_burst_per_ip
                                             : opts_.connect_rate_per_ip);
  x.hook = admission_hook_;
  bool any = !x.allowed_origins.empty() || x.max_per_ip != 0 ||
             x.max_total != 0 || x.attempts_per_s > 0 || x.hook;
  // Without limits, connections carry no count and take no lock.
  return any ? std::make_shared<transport::admission>(std::move(x)) : nullptr;
}

void runtime::add_behavior(const std::string& op, behavior_actor handler) {
  registry_.add(op, std::move(handler));
}

transport::error_code runtime::start() {
  namespace net = transport::net;
  transport::settings ts;
  ts.ws_path = opts_.ws_path;
  ts.max_message = opts_.lim.max_message;
  ts.max_fragments = opts_.lim.max_fragments;
  ts.threaded_io = opts_.io_threads > 1;
  ts.upgrade_timeout =
      std::chrono::milliseconds{opts_.lim.handshake_timeout_ms};
  // Beast's pings back up the contract's heartbeat, a little later than it.
  ts.idle_timeout = std::chrono::milliseconds{opts_.lim.heartbeat_ms * 4};
  if (!opts_.tls_cert.empty()) {
    std::string problem;
    tls_ = transport::tls_server::load(opts_.tls_cert, opts_.tls_key, problem);
    if (!tls_) {
      TETHER_LOG(error, "tls", problem);
      return make_error_code(start_errc::tls_unusable);
    }
    ts.tls = tls_;
  }
  ts.admits = make_admission();
  ts.files = web_files(opts_);
  ts.overloaded_close = transport::make_shared_bytes(codec::encode(
      codec::close{static_cast<uint64_t>(codec::close_code::overloaded),
                   "overloaded: the node takes no more connections",
                   {}}));
  auto bridges = std::make_shared<bridge_table>();
  auto sctx = std::make_shared<session_context>();
  sctx->node_name = opts_.node_name;
  sctx->limits = opts_.lim;
  if (auto rate = opts_.lim.session_request_rate; rate != 0) {
    auto burst = opts_.lim.session_request_burst;
    sctx->rates = std::make_shared<session_rates>(
        static_cast<double>(rate),
        static_cast<double>(burst != 0 ? burst : rate));
  }
  sctx->bridges = bridges;
  auto counts = std::make_shared<traffic>();
  sctx->counts = counts;
  sctx->kept = std::make_shared<kept_budget>(opts_.lim.max_kept_bytes);
  std::string secret;
  try {
    secret = token_secret(opts_);
    sctx->signer =
        std::make_shared<const security::stream_token_signer>(secret);
  } catch (const std::exception& e) {
    TETHER_LOG(error, "node", e.what());
    return make_error_code(start_errc::secret_unusable);
  }
  auto opened = open_node_store(*system_, opts_);
  if (!opened) {
    TETHER_LOG(error, "store", error_text(opened.error()));
    return make_error_code(start_errc::store_unusable);
  }
  store_ = opened->actor;
  sctx->store = store_link{store_};
  // Bound before anything is restored (a busy port fails fast), served
  // once everything is: the redirects of other nodes name this port.
  auto ctx = std::make_shared<connection_context>();
  auto* sys = system_.get();
  auto prefix = opts_.node_name + "-";
  listener_ = std::make_shared<transport::listener>(
      *ioc_, ts,
      [sys, ctx, prefix](std::shared_ptr<transport::channel> ch,
                         uint64_t number) {
        auto id = prefix + std::to_string(number) + ch->id_suffix();
        return spawn_connection(*sys, std::move(ch), ctx, std::move(id));
      });
  transport::error_code ec;
  // Host names ("localhost") resolve to their first address.
  transport::tcp::resolver resolver{*ioc_};
  auto found = resolver.resolve(opts_.listen_host,
                                std::to_string(opts_.listen_port), ec);
  if (ec)
    return ec;
  ec = listener_->open(found.begin()->endpoint());
  if (ec)
    return ec;
  port_ = listener_->local_endpoint().port();
  sctx->url = public_url();
  auto& snap = opened->snapshot;
  auto restore = std::make_shared<session_restore>();
  restore->sessions = std::move(snap.sessions);
  restore->clean = snap.clean;
  restore->lost_at_ms = snap.last_commit_ms;
  sessions_ = spawn_session_supervisor(*system_, sctx, std::move(restore));
  relay_ = spawn_room_relay(*system_);
  room_service_setup rooms_setup{
      opts_.lim,       sessions_, room_types_, store_link{store_},
      opts_.node_name, relay_,    counts};
  rooms_ = spawn_room_service(
      *system_, rooms_setup,
      with_members(*system_, sessions_, std::move(snap.rooms)));
  if (auto problem = start_cluster(secret))
    return problem;
  add_room_behaviors(registry_, rooms_);
  if (opts_.sys_ops)
    add_sys_behaviors(
        *system_, registry_,
        figure_sources{node_, sessions_, rooms_, store_, cluster_}, opts_.lim);
  admin_ = spawn_admin_api(
      *system_,
      admin_setup{opts_.admin_token,
                  figure_sources{node_, sessions_, rooms_, store_, cluster_},
                  sessions_, rooms_,
                  // As SIGTERM: the signal set takes it, and drains.
                  [] { ::kill(::getpid(), SIGTERM); }, counts, ts.admits,
                  sctx->kept});
  listener_->set_api(admin_bridge(*system_, admin_));
  auto behaviors = std::make_shared<const behavior_registry>(registry_);
  sctx->behaviors = behaviors;
  ctx->node_name = opts_.node_name;
  ctx->limits = opts_.lim;
  ctx->behaviors = behaviors;
  ctx->node = node_;
  ctx->sessions = sessions_;
  ctx->authenticator = authenticator_;
  ctx->bridges = bridges;
  ctx->report_every = static_cast<size_t>(ts.max_unhandled / 2);
  ctx->counts = counts;
  reporter_ = spawn_reporter(
      *system_,
      report_sources{{node_, sessions_, rooms_, store_, cluster_}, counts},
      std::chrono::seconds{60});
  listener_->run();
  work_ = std::make_unique<
      net::executor_work_guard<net::io_context::executor_type>>(
      ioc_->get_executor());
  for (unsigned i = 0; i < opts_.io_threads; ++i)
    io_threads_.emplace_back([this] {
      if (opts_.sched_batch)
        make_thread_batch_or_warn("I/O");
      ioc_->run();
    });
  started_ = true;
  TETHER_LOG(info, "node",
             "'" << opts_.node_name << "' serving " << url() << " ("
                 << registry_.ops().size() << " ops bound)");
  return {};
}

transport::error_code runtime::start_cluster(const std::string& secret) {
  cluster_setup setup;
  setup.self = node_entry{opts_.node_name, public_url(), {}, "up"};
  setup.secret = secret;
  setup.services = node_services{sessions_, rooms_, relay_};
  bool tls = !opts_.cluster_tls_cert.empty();
  if (tls)
    keep_openssl_error_queue_clean();
  if (opts_.clustered())
    setup.middleman = tls ? system_->openssl_manager().actor_handle()
                          : system_->middleman().actor_handle();
  std::string host;
  uint16_t port = 0;
  config::split_host_port(opts_.cluster_listen, host, port);
  cluster_ = spawn_cluster(*system_, setup);
  for (const auto& service :
       {peer_listener_actor{sessions_}, peer_listener_actor{rooms_},
        peer_listener_actor{relay_}})
    caf::anon_send(cluster_, subscribe_atom::value, service);
  if (!opts_.clustered())
    return {};
  // Not inside an actor: the blocking call is fine here.
  auto published =
      tls ? caf::openssl::publish(cluster_, port, host.c_str(), true)
          : system_->middleman().publish(cluster_, port, host.c_str(), true);
  if (!published) {
    TETHER_LOG(error, "cluster",
               "cannot open the cluster port "
                   << opts_.cluster_listen << ": "
                   << system_->render(published.error()));
    return make_error_code(start_errc::cluster_unusable);
  }
  cluster_port_ = *published;
  cluster_address_ =
      reachable_host(host, public_url()) + ":" + std::to_string(cluster_port_);
  // The entry the others get names the real port.
  caf::anon_send(cluster_, address_atom::value, cluster_address_);
  TETHER_LOG(info, "cluster",
             "'" << opts_.node_name << "' takes other nodes on "
                 << cluster_address_ << (tls ? " (TLS)" : ""));
  return {};
}

void runtime::join_cluster() {
  if (joined_ || !cluster_)
    return;
  joined_ = true;
  if (!opts_.joins.empty())
    caf::anon_send(cluster_, join_atom::value, opts_.joins);
}

std::string runtime::public_url() const {
  return opts_.public_url.empty() ? url() : opts_.public_url;
}

std::string runtime::url() const {
  auto host = opts_.listen_host;
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return (tls_ ? "wss://" : "ws://") + host + ":" + std::to_string(port_) +
         opts_.ws_path;
}

void runtime::shutdown() {
  if (!started_ || stopped_)
    return;
  stopped_ = true;
  listener_->drain();
  // The other nodes see it `draining` from now on.
  caf::anon_send(cluster_, drain_atom::value);
  auto elsewhere = hand_over_to_cluster();
  TETHER_LOG(info, "node",
             "shutting down: no new connections; open "
             "requests get "
                 << opts_.lim.shutdown_grace_ms << " ms");
  {
    caf::scoped_actor self{*system_};
    // The connections enforce the grace period; this bound is a backstop.
    auto limit = std::chrono::milliseconds{opts_.lim.shutdown_grace_ms + 3000};
    self->request(node_, limit, drain_atom::value, elsewhere)
        .receive([](bool) {},
                 [](const caf::error& err) {
                   TETHER_LOG(warning, "node",
                              "drain incomplete: " << caf::to_string(err));
                 });
  }
  if (store_) {
    // Everything the drain changed is saved before the node stops.
    caf::scoped_actor self{*system_};
    self->request(store_, std::chrono::seconds{30}, flush_atom::value)
        .receive([](bool) {},
                 [](const caf::error& err) {
                   TETHER_LOG(
                       error, "store",
                       "not flushed at shutdown: " << caf::to_string(err));
                 });
  }
  listener_->stop();
  work_.reset();
  ioc_->stop();
  for (auto& t : io_threads_)
    t.join();
  io_threads_.clear();
  TETHER_LOG(info, "node", "stopped");
}

std::string runtime::hand_over_to_cluster() {
  if (!cluster_)
    return {};
  caf::scoped_actor self{*system_};
  std::vector<std::string> urls;
  self->request(cluster_, std::chrono::seconds{5}, get_atom::value)
      .receive(
          [&](const std::vector<node_entry>& nodes) {
            for (const auto& n : nodes)
              if (n.name != opts_.node_name && n.state == "up")
                urls.push_back(n.url);
          },
          [](const caf::error&) {});
  if (urls.empty())
    return {};
  TETHER_LOG(info, "node",
             "draining into the cluster: every room and session goes to "
                 << urls.size() << " other node(s)");
  auto began = std::chrono::steady_clock::now();
  uint64_t rooms = 0;
  uint64_t sessions = 0;
  // Each move has its own timeout; this bound is a backstop.
  auto limit = std::chrono::minutes{10};
  auto failed = [](const caf::error& err) {
    TETHER_LOG(warning, "node",
               "hand-over incomplete: " << caf::to_string(err));
  };
  self->request(rooms_, limit, drain_atom::value)
      .receive([&](uint64_t n) { rooms = n; }, failed);
  self->request(sessions_, limit, drain_atom::value)
      .receive([&](uint64_t n) { sessions = n; }, failed);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - began);
  TETHER_LOG(info, "node",
             "handed " << sessions << " sessions and " << rooms
                       << " rooms to the cluster in " << took.count() << " ms");
  // Clients without a session may go to any of them.
  return urls[std::hash<std::string>{}(opts_.node_name) % urls.size()];
}

void runtime::catch_signals() {
  if (signals_)
    return;
  signals_ioc_ = std::make_unique<transport::net::io_context>(1);
  signals_ = std::make_unique<transport::net::signal_set>(*signals_ioc_, SIGINT,
                                                          SIGTERM, SIGHUP);
  wait_for_signal();
}

void runtime::wait_for_signal() {
  // Returning without waiting again ends `run_until_signal`: only SIGHUP
  // waits on.
  signals_->async_wait([this](transport::error_code ec, int sig) {
    if (ec)
      return;
    if (sig != SIGHUP) {
      TETHER_LOG(info, "node",
                 "received " << (sig == SIGINT ? "SIGINT" : "SIGTERM"));
      return;
    }
    reload_tls();
    wait_for_signal();
  });
}

void runtime::reload_tls() {
  if (!tls_) {
    TETHER_LOG(info, "tls", "received SIGHUP: no TLS to reload");
    return;
  }
  std::string problem;
  if (tls_->reload(problem))
    TETHER_LOG(info, "tls",
               "received SIGHUP: reloaded " << tls_->cert_file()
                                            << " for new connections");
  else
    TETHER_LOG(error, "tls",
               "received SIGHUP: kept the certificate in use: " << problem);
}

void runtime::run_until_signal() {
  catch_signals();
  join_cluster();
  // A signal that came before this point waits in the set.
  signals_ioc_->run();
  shutdown();
}

} // namespace tether
