#include "tether/transport/static_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <system_error>

namespace tether::transport {

namespace fs = std::filesystem;

void static_files::add(std::string path, std::string content_type,
                       std::string_view body) {
  embedded_[std::move(path)] =
      http_response{200, std::move(content_type), std::string{body}};
}

void static_files::serve_directory(std::string prefix, fs::path dir) {
  if (prefix.empty() || prefix.back() != '/')
    prefix += '/';
  std::error_code ec;
  auto canonical = fs::canonical(dir, ec);
  prefix_ = std::move(prefix);
  dir_ = ec ? std::move(dir) : std::move(canonical);
}

std::optional<http_response> static_files::find(const std::string& path) const {
  if (auto it = embedded_.find(path); it != embedded_.end())
    return it->second;
  if (dir_.empty())
    return std::nullopt;
  // The prefix without its slash names the directory too: /demo -> /demo/.
  if (path + '/' == prefix_)
    return from_directory(prefix_);
  return from_directory(path);
}

std::optional<http_response>
static_files::from_directory(const std::string& path) const {
  if (path.compare(0, prefix_.size(), prefix_) != 0)
    return std::nullopt;
  auto rest = path.substr(prefix_.size());
  // Percent-encoded or parent paths are no file names of ours.
  if (rest.find("..") != std::string::npos ||
      rest.find_first_of("%\\", 0) != std::string::npos ||
      rest.find('\0') != std::string::npos)
    return std::nullopt;
  std::error_code ec;
  auto file = fs::weakly_canonical(dir_ / rest, ec);
  if (ec)
    return std::nullopt;
  if (fs::is_directory(file, ec))
    file /= "index.html";
  // Symbolic links are followed only where they stay inside the directory.
  auto [end, at] =
      std::mismatch(dir_.begin(), dir_.end(), file.begin(), file.end());
  if (end != dir_.end() || !fs::is_regular_file(file, ec) ||
      fs::file_size(file, ec) > max_file_bytes || ec)
    return std::nullopt;
  std::ifstream in{file, std::ios::binary};
  std::string body{std::istreambuf_iterator<char>{in}, {}};
  if (!in.good() && !in.eof())
    return std::nullopt;
  return http_response{200, content_type_of(file), std::move(body)};
}

std::string static_files::content_type_of(const fs::path& file) {
  static const std::map<std::string, std::string> types{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".woff2", "font/woff2"},
  };
  auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

} // namespace tether::transport
