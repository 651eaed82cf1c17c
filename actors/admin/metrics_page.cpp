#include "tether/actors/admin/metrics_page.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace tether::admin {

namespace {

/// The process's CPU seconds (user and system) and resident bytes, from
/// /proc; zeros where it cannot be read.
struct process_figures {
  double cpu_seconds = 0;
  uint64_t resident_bytes = 0;
};

process_figures read_process() {
  process_figures x;
  std::ifstream stat{"/proc/self/stat"};
  std::string line;
  if (std::getline(stat, line)) {
    // Fields after the command name, which may hold spaces: from the last
    // ')' on, utime and stime are the 12th and 13th.
    std::istringstream rest{line.substr(line.rfind(')') + 2)};
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int i = 1; i <= 13 && rest >> field; ++i) {
      if (i == 12)
        utime = std::stoull(field);
      if (i == 13)
        stime = std::stoull(field);
    }
    x.cpu_seconds = static_cast<double>(utime + stime) /
                    static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  std::ifstream statm{"/proc/self/statm"};
  uint64_t size = 0;
  uint64_t resident = 0;
  if (statm >> size >> resident)
    x.resident_bytes =
        resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  return x;
}

/// Writes series in the text format, each family's HELP and TYPE once.
class writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' '
         << type << '\n';
  }

  template <class T>
  void sample(const std::string& name, const std::string& labels, T value) {
    out_ << name;
    if (!labels.empty())
      out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }

  template <class T>
  void single(const char* name, const char* type, const char* help, T value) {
    family(name, type, help);
    sample(name, {}, value);
  }

  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string label(const char* key, const std::string& value) {
  return std::string{key} + "=\"" + value + '"';
}

void write_histogram(writer& w, const char* name, const char* help,
                     const duration_histogram& h) {
  w.family(name, "histogram", help);
  auto r = h.read();
  uint64_t cumulative = 0;
  auto bucket = std::string{name} + "_bucket";
  for (size_t i = 0; i < duration_histogram::bounds.size(); ++i) {
    cumulative += r.buckets[i];
    char bound[32];
    std::snprintf(bound, sizeof(bound), "%g", duration_histogram::bounds[i]);
    w.sample(bucket, label("le", bound), cumulative);
  }
  cumulative += r.buckets.back();
  w.sample(bucket, label("le", "+Inf"), cumulative);
  w.sample(std::string{name} + "_sum", {}, static_cast<double>(r.sum_ns) / 1e9);
  w.sample(std::string{name} + "_count", {}, cumulative);
}

void write_counts(writer& w, const traffic& c) {
  w.single("tether_frames_received_total", "counter",
           "Frames received from clients.", c.frames_in.value());
  w.single("tether_frames_sent_total", "counter", "Frames sent to clients.",
           c.frames_out.value());
  w.family("tether_requests_total", "counter",
           "Client requests by how they were answered.");
  w.sample("tether_requests_total", label("outcome", "reply"),
           c.replies.value());
  w.sample("tether_requests_total", label("outcome", "error"),
           c.errors.value());
  w.sample("tether_requests_total", label("outcome", "retry"),
           c.retries.value());
  w.family("tether_closes_total", "counter", "CLOSE frames sent, by code.");
  for (size_t code = 0; code < c.closes.size(); ++code)
    w.sample("tether_closes_total", label("code", std::to_string(code)),
             c.closes[code].value());
  w.family("tether_resumes_total", "counter", "SESSION_RESUMEs by outcome.");
  w.sample("tether_resumes_total", label("outcome", "resumed"),
           c.resumed.value());
  w.sample("tether_resumes_total", label("outcome", "gap"),
           c.resume_gaps.value());
  w.sample("tether_resumes_total", label("outcome", "not_found"),
           c.resumes_not_found.value());
  w.family("tether_migrations_total", "counter",
           "Sessions and rooms moved to another node, by outcome.");
  auto moves = [&](const char* kind, const striped_counter& ok,
                   const striped_counter& failed) {
    auto k = label("kind", kind) + ",";
    w.sample("tether_migrations_total", k + label("outcome", "ok"), ok.value());
    w.sample("tether_migrations_total", k + label("outcome", "failed"),
             failed.value());
  };
  moves("session", c.sessions_moved, c.session_moves_failed);
  moves("room", c.rooms_moved, c.room_moves_failed);
  write_histogram(w, "tether_request_duration_seconds",
                  "Time from a client's request to its answer.",
                  c.request_duration);
}

void write_refusals(writer& w, const traffic* c,
                    const transport::admission* admits) {
  w.family("tether_refusals_total", "counter",
           "Connections and requests refused by a limit, by reason.");
  transport::refusal_counts r;
  if (admits)
    r = admits->refusals();
  auto one = [&](const char* reason, uint64_t n) {
    w.sample("tether_refusals_total", label("reason", reason), n);
  };
  one("origin", r.origin);
  one("per_ip", r.per_ip);
  one("connect_rate", r.connect_rate);
  one("node_full", r.full_websocket + r.full_poll);
  one("hook", r.hook);
  one("rate_limit", c ? c->rate_limited.value() : 0);
  one("stream_limit", c ? c->stream_limited.value() : 0);
  one("inflight", c ? c->inflight_limited.value() : 0);
}

} // namespace

std::string render_metrics(const metrics_sources& x) {
  writer w;
  const auto& f = x.figures;
  w.single("tether_connections", "gauge", "Open client connections.",
           f.node.connections);
  w.single("tether_sessions", "gauge", "Sessions on this node.", f.sessions);
  w.single("tether_rooms", "gauge", "Rooms on this node.", f.rooms);
  w.single("tether_kept_bytes", "gauge",
           "Bytes all streams keep unacknowledged for their clients.",
           x.kept ? x.kept->bytes() : 0);
  w.family("tether_cluster_nodes", "gauge",
           "Nodes of the cluster this node knows (itself too), by state.");
  std::map<std::string, uint64_t> states{
      {"up", 0}, {"draining", 0}, {"down", 0}};
  for (const auto& n : f.cluster)
    ++states[n.state];
  for (const auto& kv : states)
    w.sample("tether_cluster_nodes", label("state", kv.first), kv.second);
  static const traffic none;
  write_counts(w, x.counts ? *x.counts : none);
  write_refusals(w, x.counts, x.admits);
  auto p = read_process();
  w.single("process_resident_memory_bytes", "gauge",
           "Resident memory size in bytes.", p.resident_bytes);
  w.single("process_cpu_seconds_total", "counter",
           "Total user and system CPU time spent in seconds.", p.cpu_seconds);
  return w.str();
}

} // namespace tether::admin
