// SPDX-License-Identifier: Apache-2.0
// The table of family runners, and running one case by its family name. Shared by the host
// tool (tools/golden) and the device runner (device_main.cpp) so both print the same lines.
#pragma once

#include "families/families.h"
#include "golden_case.h"
#include "report.h"

namespace tinyexec::golden {

struct FamilyEntry {
  const char* name;  // the JSON "kernel" field
  family::Runner run;
};

int family_count();
const FamilyEntry& family_at(int i);
// Null for an unknown family.
const FamilyEntry* find_family(const char* name);

// Runs the case with a reset workspace; an unknown family is a failure naming it.
bool run_case(const GoldenCase& c, Workspace& ws, Report& r);

// Prints "PASS family/case" or "FAIL family/case: reason" (printf; no 64-bit formats).
void print_result(const GoldenCase& c, const Report& r);
// Prints "FAIL <source>: reason" for a case that could not even be loaded.
void print_load_failure(const char* source, const char* reason);
// Prints the final "N passed, M failed" line.
void print_summary(int passed, int failed);

}  // namespace tinyexec::golden
