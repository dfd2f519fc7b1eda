# SPDX-License-Identifier: Apache-2.0
# Runs one libFuzzer target for a bounded time on a fresh copy of its seed corpus; included by
# the per-fuzzer scripts that te_add_fuzzer generates (build/fuzz/fuzzers/<name>.cmake), which
# set TE_FUZZER_NAME, TE_FUZZER, TE_FUZZ_CORPUS, TE_FUZZ_DICT, TE_FUZZ_WORK_DIR and the limits.
# Prints libFuzzer's final stats; fails, showing the report and how to reproduce it, on a crash,
# sanitizer report, leak, timeout or out-of-memory.

set(seconds ${TE_FUZZ_DEFAULT_SECONDS})
if(DEFINED ENV{TE_FUZZ_SECONDS} AND NOT "$ENV{TE_FUZZ_SECONDS}" STREQUAL "")
  set(seconds $ENV{TE_FUZZ_SECONDS})
endif()
if(NOT seconds MATCHES "^[0-9]+$" OR seconds EQUAL 0)
  message(FATAL_ERROR "TE_FUZZ_SECONDS='${seconds}': expected a positive number of seconds")
endif()

# libFuzzer adds the inputs it finds to its first corpus directory: a copy, never the sources.
set(corpus ${TE_FUZZ_WORK_DIR}/corpus)
file(REMOVE_RECURSE ${corpus})
file(MAKE_DIRECTORY ${corpus} ${TE_FUZZ_WORK_DIR}/artifacts)
file(GLOB seeds LIST_DIRECTORIES false ${TE_FUZZ_CORPUS}/*)
if(NOT seeds)
  message(FATAL_ERROR "${TE_FUZZER_NAME}: the seed corpus ${TE_FUZZ_CORPUS} is empty")
endif()
file(COPY ${seeds} DESTINATION ${corpus})

set(arguments -max_total_time=${seconds} -timeout=${TE_FUZZ_TIMEOUT_SECONDS}
    -rss_limit_mb=${TE_FUZZ_RSS_LIMIT_MB} -print_final_stats=1 -print_funcs=0
    -artifact_prefix=${TE_FUZZ_WORK_DIR}/artifacts/)
if(TE_FUZZ_DICT)
  list(APPEND arguments -dict=${TE_FUZZ_DICT})
endif()
if(NOT DEFINED ENV{ASAN_SYMBOLIZER_PATH} AND EXISTS /usr/lib/llvm-14/bin/llvm-symbolizer)
  set(ENV{ASAN_SYMBOLIZER_PATH} /usr/lib/llvm-14/bin/llvm-symbolizer)
endif()
if(NOT DEFINED ENV{UBSAN_OPTIONS})
  set(ENV{UBSAN_OPTIONS} print_stacktrace=1)
endif()

file(GLOB earlier_artifacts ${TE_FUZZ_WORK_DIR}/artifacts/*)
set(log ${TE_FUZZ_WORK_DIR}/fuzz.log)
message(STATUS "${TE_FUZZER_NAME}: ${seconds} s on a copy of ${TE_FUZZ_CORPUS} (log: ${log})")
execute_process(COMMAND ${TE_FUZZER} ${arguments} ${corpus}
  RESULT_VARIABLE status OUTPUT_FILE ${log} ERROR_FILE ${log})

file(STRINGS ${log} stats REGEX
  "^(#[0-9]+[ \t]+DONE|Done [0-9]+ runs|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))")
list(JOIN stats "\n  " stats)

if(NOT status STREQUAL "0")
  # The report: from the line of the first sanitizer / libFuzzer error to the end of the log
  # (read whole: a report line may hold any character, a list would split it at ';').
  file(READ ${log} content)
  string(LENGTH "${content}" report_start)
  foreach(marker "==ERROR:" "runtime error:" "ERROR: libFuzzer" "deadly signal" "terminate called"
          "uncaught exception")
    string(FIND "${content}" "${marker}" position)
    if(position GREATER_EQUAL 0 AND position LESS report_start)
      set(report_start ${position})
    endif()
  endforeach()
  string(SUBSTRING "${content}" 0 ${report_start} before)
  string(FIND "${before}" "\n" line_start REVERSE)
  math(EXPR line_start "${line_start} + 1")
  string(SUBSTRING "${content}" ${line_start} -1 report)
  string(LENGTH "${report}" report_length)
  if(report_length GREATER 12000)  # a runaway log: its end says what happened
    math(EXPR tail_start "${report_length} - 12000")
    string(SUBSTRING "${report}" ${tail_start} -1 report)
  endif()
  # This run's inputs (an input found again keeps its name: then every one there).
  file(GLOB artifacts ${TE_FUZZ_WORK_DIR}/artifacts/*)
  set(new_artifacts ${artifacts})
  if(earlier_artifacts)
    list(REMOVE_ITEM new_artifacts ${earlier_artifacts})
  endif()
  if(new_artifacts)
    set(artifacts ${new_artifacts})
  endif()
  list(JOIN artifacts "\n  " artifacts)
  file(STRINGS ${log} seed REGEX "^INFO: Seed: [0-9]+")  # -seed=N repeats the run
  message("${report}")
  message("${TE_FUZZER_NAME}: FAILED (exit status ${status}; ${seed})\n"
    "input that failed:\n  ${artifacts}\n"
    "reproduce: ${TE_FUZZER} <input>\nfull log: ${log}")
  message(FATAL_ERROR "${TE_FUZZER_NAME} failed")
endif()
message("${TE_FUZZER_NAME}: no crash in ${seconds} s\n  ${stats}")
