// SPDX-License-Identifier: Apache-2.0
#include "int_list.h"

namespace tinyexec::golden {
namespace {

const char* skip_spaces(const char* p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  return p;
}

}  // namespace

bool parse_int_list(const char* text, int32_t* out, int capacity, int* count) {
  if (text == nullptr || out == nullptr || count == nullptr) return false;
  const char* p = skip_spaces(text);
  char close = '\0';
  if (*p == '{' || *p == '[') {
    close = *p == '{' ? '}' : ']';
    p = skip_spaces(p + 1);
  }
  int n = 0;
  while (*p != '\0' && *p != close) {
    bool negative = false;
    if (*p == '-' || *p == '+') {
      negative = *p == '-';
      ++p;
    }
    if (*p < '0' || *p > '9') return false;
    int64_t value = 0;
    while (*p >= '0' && *p <= '9') {
      value = value * 10 + (*p - '0');
      if (value > int64_t{INT32_MAX} + 1) return false;
      ++p;
    }
    if (negative) value = -value;
    if (value > INT32_MAX || value < INT32_MIN || n == capacity) return false;
    out[n++] = static_cast<int32_t>(value);
    p = skip_spaces(p);
    if (*p == ',')
      p = skip_spaces(p + 1);  // a trailing comma before the end is allowed
    else if (*p != '\0' && *p != close)
      return false;
  }
  if (close != '\0') {
    if (*p != close) return false;
    p = skip_spaces(p + 1);
  }
  if (*p != '\0' || n == 0) return false;
  *count = n;
  return true;
}

}  // namespace tinyexec::golden
