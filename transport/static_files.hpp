#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tether/transport/http_api.hpp"

namespace tether::transport {

/// Files the node serves to plain GET requests: built-in ones held in
/// memory (`/tether.js`) and, where configured, a directory's files under
/// a path prefix (`--static DIR`, `--static-path`). Read-only once the
/// listener runs, so every I/O thread may share it.
class static_files {
 public:
  /// Largest file served from the directory; larger ones are not found.
  static constexpr uintmax_t max_file_bytes = 16 * 1024 * 1024;

  /// Serves `body` at exactly `path`.
  void add(std::string path, std::string content_type, std::string_view body);

  /// Serves the files under `dir` at `prefix` ("/" or "/demo/"): a
  /// directory's `index.html` for its own path. Nothing outside `dir` is
  /// reachable: no `..`, no symbolic link leading out.
  void serve_directory(std::string prefix, std::filesystem::path dir);

  /// The answer to GET `path` (without its query), or none when no file
  /// of ours has that path.
  std::optional<http_response> find(const std::string& path) const;

  /// The Content-Type a file name's extension calls for.
  static std::string content_type_of(const std::filesystem::path& file);

 private:
  std::optional<http_response> from_directory(const std::string& path) const;

  std::map<std::string, http_response, std::less<>> embedded_;
  std::string prefix_;
  std::filesystem::path dir_;
};

} // namespace tether::transport
