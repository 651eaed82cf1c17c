#include "tether/tests/support/certificates.hpp"

#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>

namespace tether::test {

namespace {

/// Runs a shell command quietly; the test fails if it fails.
void run(const std::string& command) {
  INFO(command);
  REQUIRE(std::system((command + " >/dev/null 2>&1").c_str()) == 0);
}

/// `openssl ca`'s settings for CA `ca` in `dir`: only `ca` sets a
/// certificate's dates freely, which an expired one needs.
std::string ca_config(const temp_dir& dir, const std::string& ca) {
  auto path = dir.file(ca + ".cnf");
  if (!std::ifstream{path}) {
    std::ofstream{dir.file(ca + ".index")};
    std::ofstream{dir.file(ca + ".serial")} << "1000\n";
    std::ofstream{path} << "[ca]\ndefault_ca = this\n"
                        << "[this]\ndatabase = " << dir.file(ca + ".index")
                        << "\nserial = " << dir.file(ca + ".serial")
                        << "\nnew_certs_dir = " << dir.path()
                        << "\ndefault_md = sha256\npolicy = any\n"
                        << "copy_extensions = copy\nunique_subject = no\n"
                        << "[any]\ncommonName = supplied\n";
  }
  return path;
}

} // namespace

certificate make_ca(const temp_dir& dir, const std::string& name) {
  certificate ca{dir.file(name + ".pem"), dir.file(name + ".key")};
  if (!std::ifstream{ca.cert})
    run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name +
        " -keyout " + ca.key + " -out " + ca.cert);
  return ca;
}

certificate issue(const temp_dir& dir, const std::string& ca,
                  const std::string& subject, const validity& valid) {
  auto authority = make_ca(dir, ca);
  certificate made{dir.file(subject + ".pem"), dir.file(subject + ".key")};
  auto csr = dir.file(subject + ".csr");
  run("openssl req -newkey rsa:2048 -nodes -subj /CN=" + subject +
      " -addext subjectAltName=" + valid.alt_names + " -keyout " + made.key +
      " -out " + csr);
  auto dates = valid.expired ? std::string{" -startdate 20200101000000Z"
                                           " -enddate 20200102000000Z"}
                             : std::string{" -days 2"};
  run("openssl ca -batch -notext -config " + ca_config(dir, ca) + " -cert " +
      authority.cert + " -keyfile " + authority.key + dates + " -in " + csr +
      " -out " + made.cert);
  return made;
}

} // namespace tether::test
