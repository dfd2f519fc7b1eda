// SPDX-License-Identifier: Apache-2.0
// Never returns: the runner's timeout must kill it (CTest expects the timeout's status).
int main() {
  for (;;) __asm__ volatile("nop");
}
