#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tether::ctl {

/// Rows printed under a header, each column as wide as its widest cell.
class table {
 public:
  explicit table(std::vector<std::string> header);

  void add(std::vector<std::string> row);

  void print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

} // namespace tether::ctl
