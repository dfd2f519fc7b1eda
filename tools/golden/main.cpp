// SPDX-License-Identifier: Apache-2.0
// tinyexec-golden: runs CMSIS-NN golden-vector cases (JSON) against our kernels on the host, or
// packs them for the board runner (tests/golden/device_main.cpp).
//
//   tinyexec-golden [--supplement FILE | --no-supplement] PATH...
//   tinyexec-golden --pack OUT_DIR [--supplement FILE | --no-supplement] PATH...
//
// PATH is a case file or a directory searched recursively for *.json (in sorted order), so new
// cases dropped into ../shared are picked up without any change here. Running prints one line
// per case, "PASS family/case" or "FAIL family/case: reason" (or "FAIL FILE: reason" when the
// file cannot be loaded), then "N passed, M failed"; the exit code is 0 iff every case passed
// and at least one ran. --pack writes OUT_DIR/<family>/<case>.tegc per case and
// OUT_DIR/cases.list naming all of them (absolute paths, for the board runner's @LIST
// argument); each case goes through the same packed-case parser the board uses before it is
// written. Packing exits 0 iff every file packed (and there was one).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "host_case.h"
#include "json_case.h"
#include "packed_case.h"
#include "registry.h"
#include "report.h"
#include "transpose_supplement.h"

#ifndef TE_GOLDEN_SUPPLEMENT
#define TE_GOLDEN_SUPPLEMENT ""
#endif

namespace {

namespace fs = std::filesystem;
using namespace tinyexec::golden;

// Far more than any board has: a case too big for a board still runs here.
constexpr size_t kHostWorkspace = size_t{64} << 20;

struct Options {
  std::optional<fs::path> pack_dir;
  std::string supplement = TE_GOLDEN_SUPPLEMENT;
  std::vector<std::string> paths;
};

int usage() {
  std::fprintf(stderr,
               "usage: tinyexec-golden [--pack OUT_DIR] [--supplement FILE | --no-supplement] "
               "PATH...\n  PATH: a case .json file or a directory of them\n");
  return 2;
}

// Case files in argument order; a directory contributes its *.json files, sorted.
std::vector<std::string> expand(const std::vector<std::string>& paths, int& failed) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
          found.push_back(entry.path().string());
        }
      }
      if (ec) {
        print_load_failure(path.c_str(), "cannot list the directory");
        ++failed;
      }
      if (found.empty() && !ec) {
        print_load_failure(path.c_str(), "directory holds no .json case");
        ++failed;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);  // a missing file fails when it is opened, naming it
    }
  }
  return files;
}

// Family and case names become path components when packing.
bool safe_file_name(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.';
  });
}

bool write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--pack" && i + 1 < argc) {
      options.pack_dir = fs::path(argv[++i]);
    } else if (arg == "--supplement" && i + 1 < argc) {
      options.supplement = argv[++i];
    } else if (arg == "--no-supplement") {
      options.supplement.clear();
    } else if (arg == "-h" || arg == "--help" || (arg.size() > 1 && arg[0] == '-')) {
      return usage();
    } else {
      options.paths.push_back(arg);
    }
  }
  if (options.paths.empty()) return usage();

  std::optional<TransposeSupplement> supplement;
  if (!options.supplement.empty()) {
    try {
      supplement = TransposeSupplement::load(options.supplement);
    } catch (const std::exception& e) {
      // Not fatal: only transpose cases need it, and they then fail saying what they lack.
      std::fprintf(stderr, "warning: %s\n", e.what());
    }
  }

  if (options.pack_dir) {
    // A list from an earlier run may name cases that are gone: better none than a stale one.
    std::error_code ec;
    fs::remove(*options.pack_dir / "cases.list", ec);
  }

  int passed = 0, failed = 0;
  const std::vector<std::string> files = expand(options.paths, failed);
  std::vector<uint8_t> workspace_memory(kHostWorkspace);
  std::string list;  // packed files, one per line
  std::set<std::string> seen;
  GoldenCase golden;  // points into `packed` below

  for (const std::string& file : files) {
    std::vector<uint8_t> packed;
    try {
      HostCase c = load_json_case(file);
      if (supplement) {
        const std::string note = supplement->apply(c);
        if (!note.empty()) std::fprintf(stderr, "note: %s: %s\n", file.c_str(), note.c_str());
      }
      packed = pack_case(c);
    } catch (const std::exception& e) {
      print_load_failure(file.c_str(), e.what());
      ++failed;
      continue;
    }
    if (const char* error = parse_packed_case(packed.data(), packed.size(), &golden)) {
      print_load_failure(file.c_str(), error);
      ++failed;
      continue;
    }
    const std::string id = std::string(golden.family()) + "/" + golden.name();
    if (!seen.insert(id).second) {
      print_load_failure(file.c_str(), ("a second case named " + id).c_str());
      ++failed;
      continue;
    }

    if (options.pack_dir) {
      if (!safe_file_name(golden.family()) || !safe_file_name(golden.name())) {
        print_load_failure(file.c_str(), "kernel or case name is not usable as a file name");
        ++failed;
        continue;
      }
      const fs::path dir = *options.pack_dir / golden.family();
      std::error_code ec;
      fs::create_directories(dir, ec);
      const fs::path out = fs::absolute(dir / (std::string(golden.name()) + ".tegc"));
      if (ec || !write_bytes(out, packed)) {
        print_load_failure(file.c_str(), ("cannot write " + out.string()).c_str());
        ++failed;
        continue;
      }
      list += out.string() + "\n";
      std::printf("PACKED %s -> %s\n", id.c_str(), out.string().c_str());
      ++passed;
      continue;
    }

    Workspace ws(workspace_memory.data(), workspace_memory.size());
    Report report;
    run_case(golden, ws, report);
    print_result(golden, report);
    ++(report.passed() ? passed : failed);
  }

  if (options.pack_dir) {
    const fs::path list_path = *options.pack_dir / "cases.list";
    std::error_code ec;
    fs::create_directories(*options.pack_dir, ec);
    if (ec || !write_bytes(list_path, std::vector<uint8_t>(list.begin(), list.end()))) {
      print_load_failure(list_path.c_str(), "cannot write the list");
      ++failed;
    }
    std::printf("%d packed, %d failed\n", passed, failed);
  } else {
    print_summary(passed, failed);
  }
  std::fflush(stdout);
  return failed == 0 && passed > 0 ? 0 : 1;
}
