// SPDX-License-Identifier: Apache-2.0
// The golden runner for boards (and the host: plain C++17). Usage:
//
//   golden_device CASE.tegc... @LIST...
//
// Each CASE.tegc is a packed case (packed_case.h, written by `tinyexec-golden --pack`); each
// @LIST is a text file naming packed cases, one path per line. Lists exist because a board's
// semihosting command line is short (1 KiB, 32 arguments): CTest passes one list per family.
// Prints one PASS/FAIL line per case and "N passed, M failed"; exits 0 iff every case passed
// and at least one ran. Files are read with tinyexec::target::read_file (semihosting on boards).
#include <cstdio>
#include <cstring>

#include "golden_case.h"
#include "packed_case.h"
#include "registry.h"
#include "report.h"
#include "tinyexec/target/io.h"

namespace {

using tinyexec::golden::GoldenCase;
using tinyexec::golden::Report;
using tinyexec::golden::Workspace;

// Sizes: the largest case in ../shared packs to ~33 KiB (transpose_nhcw, 2 x 16 KiB) and needs
// ~16 KiB of output and scratch; 8x headroom for the held-back cases of the same families.
// Static, so they are sized at link time and never compete with the 64 KiB stack.
constexpr size_t kCaseCapacity = 256 * 1024;
constexpr size_t kWorkspaceCapacity = 256 * 1024;
constexpr size_t kListCapacity = 16 * 1024;
constexpr size_t kMaxPath = 512;

alignas(16) uint8_t g_case_buffer[kCaseCapacity];
alignas(16) uint8_t g_workspace[kWorkspaceCapacity];
char g_list[kListCapacity + 1];
GoldenCase g_case;  // ~3 KiB: kept off the stack

struct Tally {
  int passed = 0;
  int failed = 0;
};

void run_file(const char* path, Tally& tally) {
  const int32_t size = tinyexec::target::read_file(path, g_case_buffer, kCaseCapacity);
  if (size == -2) {
    std::printf("FAIL %s: case larger than the %lu-byte case buffer\n", path,
                static_cast<unsigned long>(kCaseCapacity));
    ++tally.failed;
    return;
  }
  if (size < 0) {
    tinyexec::golden::print_load_failure(path, "cannot read the file");
    ++tally.failed;
    return;
  }
  const char* error =
      tinyexec::golden::parse_packed_case(g_case_buffer, static_cast<size_t>(size), &g_case);
  if (error != nullptr) {
    std::printf("FAIL %s: bad packed case: %s\n", path, error);
    ++tally.failed;
    return;
  }
  Workspace ws(g_workspace, kWorkspaceCapacity);
  Report report;
  tinyexec::golden::run_case(g_case, ws, report);
  tinyexec::golden::print_result(g_case, report);
  if (report.passed()) {
    ++tally.passed;
  } else {
    ++tally.failed;
  }
}

// Runs every path listed in the file, one per line; blank lines and '#' comments are skipped.
void run_list(const char* list_path, Tally& tally) {
  const int32_t size = tinyexec::target::read_file(list_path, g_list, kListCapacity);
  if (size < 0) {
    tinyexec::golden::print_load_failure(
        list_path, size == -2 ? "list file too large" : "cannot read the list file");
    ++tally.failed;
    return;
  }
  g_list[size] = '\0';
  char path[kMaxPath];
  const char* line = g_list;
  while (*line != '\0') {
    const char* end = line;
    while (*end != '\0' && *end != '\n') ++end;
    size_t length = static_cast<size_t>(end - line);
    while (length > 0 && (line[length - 1] == '\r' || line[length - 1] == ' ')) --length;
    if (length >= kMaxPath) {
      tinyexec::golden::print_load_failure(list_path, "a listed path is too long");
      ++tally.failed;
    } else if (length > 0 && line[0] != '#') {
      std::memcpy(path, line, length);
      path[length] = '\0';
      run_file(path, tally);
    }
    line = *end == '\0' ? end : end + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Tally tally;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '@') {
      run_list(argv[i] + 1, tally);
    } else {
      run_file(argv[i], tally);
    }
  }
  tinyexec::golden::print_summary(tally.passed, tally.failed);
  return tally.failed == 0 && tally.passed > 0 ? 0 : 1;
}
