// SPDX-License-Identifier: Apache-2.0
// Reset and fault handling for every Cortex-M board: the vector table, the copy of .data and the
// zeroing of .bss, FPU/MVE enable, static constructors, argv from the semihosting command line,
// then main(); its return value becomes QEMU's exit status. A fault prints which fault, where,
// and the fault status registers, then exits with status 3.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "semihosting.h"
#include "startup.h"

extern "C" {
extern uint32_t __stack_top;  // symbols from targets/common/link.ld
extern uint32_t __data_load;
extern uint32_t __data_start;
extern uint32_t __data_end;
extern uint32_t __bss_start;
extern uint32_t __bss_end;
void __libc_init_array();
int main(int argc, char** argv);
void Reset_Handler();
void te_fault_handler();
// newlib's __libc_init_array calls _init; there are no crti/crtn .init sections here.
void _init() {}
void _fini() {}
}

namespace {

volatile uint32_t& reg(uintptr_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }

constexpr uintptr_t kShcsr = 0xE000ED24;  // system handler control and state
constexpr uintptr_t kCpacr = 0xE000ED88;  // coprocessor access control
constexpr uintptr_t kCfsr = 0xE000ED28;   // configurable fault status
constexpr uintptr_t kHfsr = 0xE000ED2C;   // hard fault status
constexpr uintptr_t kMmfar = 0xE000ED34;  // memory manage fault address
constexpr uintptr_t kBfar = 0xE000ED38;   // bus fault address
constexpr uintptr_t kSfsr = 0xE000EDE4;   // secure fault status (v8-M)

constexpr int kMaxArgs = 64;
char command_line[4096];
char* arguments[kMaxArgs + 1];

[[noreturn]] void command_line_error(const char* what) {
  std::printf("startup: %s (at most %d arguments, %u bytes): pass long lists in a file\n", what,
              kMaxArgs, static_cast<unsigned>(sizeof(command_line) - 1));
  std::fflush(stdout);
  tinyexec::target::semihosting::exit(2);
}

// Splits the semihosting command line ("program arg1 arg2 ...") at spaces into argv, taking out
// the runner's own options (see startup.h). Never drops arguments silently.
int parse_command_line() {
  uint32_t block[2] = {reinterpret_cast<uint32_t>(command_line), sizeof(command_line) - 1};
  int argc = 0;
  // QEMU fails the call when the command line does not fit the buffer.
  if (tinyexec::target::semihosting::call(tinyexec::target::semihosting::kGetCommandLine,
                                          block) != 0) {
    command_line_error("the command line is too long");
  }
  command_line[block[1] < sizeof(command_line) ? block[1] : sizeof(command_line) - 1] = '\0';
  char* cursor = command_line;
  while (*cursor != '\0') {
    while (*cursor == ' ') *cursor++ = '\0';
    if (*cursor == '\0') break;
    char* word = cursor;
    while (*cursor != '\0' && *cursor != ' ') ++cursor;
    if (std::strncmp(word, kIcountFileOption, std::strlen(kIcountFileOption)) == 0) {
      g_icount_file = word + std::strlen(kIcountFileOption);
    } else {
      if (argc == kMaxArgs) command_line_error("too many arguments");
      arguments[argc++] = word;
    }
  }
  if (argc == 0) arguments[argc++] = const_cast<char*>("program");
  arguments[argc] = nullptr;
  return argc;
}

// The CFSR bits that say why: MemManage [7:0], BusFault [15:8], UsageFault [31:16].
const char* fault_reason(uint32_t cfsr) {
  struct Bit {
    uint32_t mask;
    const char* reason;
  };
  static const Bit kBits[] = {
      {1u << 0, "instruction access violation"}, {1u << 1, "data access violation"},
      {1u << 8, "instruction bus error"},        {1u << 9, "precise data bus error"},
      {1u << 10, "imprecise data bus error"},    {1u << 12, "bus error on exception stacking"},
      {1u << 16, "undefined instruction"},       {1u << 17, "invalid state (Thumb bit)"},
      {1u << 18, "invalid exception return"},    {1u << 19, "no coprocessor (FPU/MVE off?)"},
      {1u << 20, "stack overflow (stack limit)"}, {1u << 24, "unaligned access"},
      {1u << 25, "divide by zero"},
  };
  for (const Bit& bit : kBits) {
    if ((cfsr & bit.mask) != 0) return bit.reason;
  }
  return "see the status registers";
}

const char* fault_name(uint32_t exception) {
  switch (exception) {
    case 2: return "NMI";
    case 3: return "HardFault";
    case 4: return "MemManage fault";
    case 5: return "BusFault";
    case 6: return "UsageFault";
    case 7: return "SecureFault";
    default: return "unexpected exception";
  }
}

}  // namespace

const char* g_icount_file = nullptr;

extern "C" void Reset_Handler() {
  // Report MemManage, BusFault and UsageFault as themselves rather than as HardFault.
  reg(kShcsr) |= (1u << 16) | (1u << 17) | (1u << 18);
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  reg(kCpacr) |= 0xFu << 20;  // full access to CP10/CP11: the FPU and, on M55, Helium
  __asm__ volatile("dsb\n isb" ::: "memory");
#endif
  const size_t data_bytes = static_cast<size_t>(reinterpret_cast<char*>(&__data_end) -
                                                reinterpret_cast<char*>(&__data_start));
  if (&__data_load != &__data_start) std::memcpy(&__data_start, &__data_load, data_bytes);
  std::memset(&__bss_start, 0,
              static_cast<size_t>(reinterpret_cast<char*>(&__bss_end) -
                                  reinterpret_cast<char*>(&__bss_start)));
  __libc_init_array();
  const int argc = parse_command_line();
  std::exit(main(argc, arguments));
}

extern "C" void te_fault_report(const uint32_t* frame, uint32_t exception) {
  // frame: r0, r1, r2, r3, r12, lr, pc, xpsr as stacked by the core on entry.
  std::printf("\n*** %s (exception %lu): %s, at pc=0x%08lx lr=0x%08lx\n",
              fault_name(exception), static_cast<unsigned long>(exception),
              fault_reason(reg(kCfsr)), static_cast<unsigned long>(frame[6]),
              static_cast<unsigned long>(frame[5]));
  std::printf("*** CFSR=0x%08lx HFSR=0x%08lx MMFAR=0x%08lx BFAR=0x%08lx",
              static_cast<unsigned long>(reg(kCfsr)), static_cast<unsigned long>(reg(kHfsr)),
              static_cast<unsigned long>(reg(kMmfar)), static_cast<unsigned long>(reg(kBfar)));
#if defined(__ARM_FEATURE_CMSE)
  std::printf(" SFSR=0x%08lx", static_cast<unsigned long>(reg(kSfsr)));
#endif
  std::printf("\n");
  std::fflush(stdout);
  tinyexec::target::semihosting::exit(3);
}

// Picks the stack the core pushed the exception frame on and hands it to te_fault_report.
extern "C" __attribute__((naked)) void te_fault_handler() {
  __asm__ volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "mrs r1, ipsr\n"
      "b te_fault_report\n");
}

using Handler = void (*)();

// Exceptions 0..15; interrupts are not used by tinyexec, and any that fires is reported.
__attribute__((section(".vectors"), used)) const Handler g_vector_table[16 + 32] = {
    reinterpret_cast<Handler>(&__stack_top),
    Reset_Handler,
    te_fault_handler,  // NMI
    te_fault_handler,  // HardFault
    te_fault_handler,  // MemManage
    te_fault_handler,  // BusFault
    te_fault_handler,  // UsageFault
    te_fault_handler,  // SecureFault (v8-M)
    nullptr, nullptr, nullptr,
    te_fault_handler,  // SVCall
    te_fault_handler,  // DebugMonitor
    nullptr,
    te_fault_handler,  // PendSV
    te_fault_handler,  // SysTick
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler,
};
