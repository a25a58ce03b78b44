// Corpus conformance: `calendarbot occurrences` against the oracle's expected TSV for every
// expandable corpus file; disagreements must be listed (with a reason) in
// conformance-exceptions.tsv.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> splitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Runs the binary; stdout only (warnings on stderr are expected).
std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

}  // namespace

int main() {
  const fs::path corpus = env("CB_CORPUS");
  const std::string binary = env("CB_BINARY");
  const fs::path exceptionsFile =
      fs::path(env("CB_SOURCE_ROOT")) / "tests/ics/conformance-exceptions.tsv";
  if (corpus.empty() || !fs::exists(corpus / "windows.tsv")) {
    std::cout << "corpus not found (CB_CORPUS=" << corpus.string() << "): skipped\n";
    return 77;
  }
  std::map<std::string, std::string> exceptions;
  {
    std::istringstream in(slurp(exceptionsFile));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto f = splitTabs(line);
      // file, class, RFC section, why ours is right: all four, or the table is not honest.
      if (f.size() != 4 || f[1].empty() || f[2].empty() || f[3].empty()) {
        std::cout << "conformance-exceptions.tsv: want file, class, RFC section and reason: "
                  << line << "\n";
        return 1;
      }
      exceptions[f[0]] = f[1] + " (" + f[2] + "): " + f[3];
    }
  }
  std::istringstream windows(slurp(corpus / "windows.tsv"));
  std::string line;
  std::getline(windows, line);  // header
  int total = 0, agree = 0, failures = 0;
  std::set<std::string> seen;
  while (std::getline(windows, line)) {
    const auto f = splitTabs(line);
    if (f.size() < 4) continue;
    const std::string& file = f[0];
    fs::path expectedPath = corpus / "expected" / file;
    expectedPath.replace_extension(".tsv");
    const std::string expected = slurp(expectedPath);
    if (expected.rfind("ERROR\t", 0) == 0) continue;  // malformed/unsupported: no reference
    ++total;
    seen.insert(file);
    const std::string got =
        run(quote(binary) + " occurrences " + quote((corpus / file).string()) + " --from " +
            quote(f[1]) + " --to " + quote(f[2]) + " --tz " + quote(f[3]) + " 2>/dev/null");
    const bool same = got == expected;
    const auto listed = exceptions.find(file);
    if (same) {
      ++agree;
      if (listed != exceptions.end()) {
        std::cout << "AGREES BUT LISTED: " << file
                  << " (remove it from conformance-exceptions.tsv)\n";
        ++failures;
      }
      continue;
    }
    if (listed != exceptions.end()) {
      std::cout << "listed: " << file << " — " << listed->second << "\n";
      continue;
    }
    ++failures;
    std::cout << "DISAGREES: " << file << " (window " << f[1] << " .. " << f[2] << ", tz " << f[3]
              << ")\n";
    // The first differing line, to start from.
    std::istringstream a(got), b(expected);
    std::string la, lb;
    while (true) {
      const bool ha = static_cast<bool>(std::getline(a, la));
      const bool hb = static_cast<bool>(std::getline(b, lb));
      if (!ha && !hb) break;
      if (!ha || !hb || la != lb) {
        std::cout << "  ours:     " << (ha ? la : "<end>")
                  << "\n  expected: " << (hb ? lb : "<end>") << "\n";
        break;
      }
    }
  }
  for (const auto& [file, reason] : exceptions)
    if (!seen.count(file)) {
      std::cout << "LISTED BUT NOT IN THE CORPUS: " << file << "\n";
      ++failures;
    }
  std::cout << agree << "/" << total << " agree (" << exceptions.size()
            << " listed in tests/ics/conformance-exceptions.tsv)\n";
  return failures == 0 ? 0 : 1;
}
