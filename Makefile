# SPDX-License-Identifier: Apache-2.0
# The two commands a new user needs: `make demo` and `make test` (both install what they need).
TARGETS := cortex-m3 cortex-m4 cortex-m7 cortex-m33 cortex-m55
PRESETS := host host-asan fuzz $(TARGETS)

.PHONY: demo test build setup bench bench-kernels bench-models size fuzz format clean $(addprefix build-,$(PRESETS))

## demo: compile the example model and run it on the emulated Corstone-300 (Cortex-M55);
## scripts/demo.sh builds only the tinyexec tool and the M55 runner it needs
demo: setup
	@scripts/demo.sh

## test: build the host, host-asan, fuzz and all five Cortex-M targets, run every test
## (the fuzz preset: a 60 s smoke run of each fuzzer)
test: setup
	@scripts/test.sh $(PRESETS)

## build: configure and build every preset
build: setup $(addprefix build-,$(PRESETS))

## bench: instruction counts of the benchmark programs on M4 and M55 (table + JSON)
bench: setup build-host build-cortex-m4 build-cortex-m55
	@/usr/bin/env python3 scripts/bench.py --targets cortex-m4 cortex-m55

## bench-kernels: the kernel table next to CMSIS-NN's figures, M4 and M55 (table + JSON)
bench-kernels: setup build-host build-cortex-m4 build-cortex-m55
	@/usr/bin/env python3 scripts/bench_kernels.py

## bench-models: the MLPerf Tiny architectures compiled and run on M4 and M55 (table + JSON)
bench-models: setup build-host build-cortex-m4 build-cortex-m55
	@/usr/bin/env python3 scripts/bench_models.py --targets cortex-m4 cortex-m55

## size: code size of the runtime and the kernels on every board (table + JSON)
size: setup build-host $(addprefix build-,$(TARGETS))
	@/usr/bin/env python3 scripts/size.py

## fuzz: run every fuzzer for FUZZ_SECONDS (default 600) and print libFuzzer's final stats
fuzz: setup
	@scripts/fuzz.sh

setup:
	@scripts/setup.sh

# Board builds use host tools from build/host (e.g. the golden-vector packer): host first.
$(addprefix build-,$(TARGETS)): build-host
$(addprefix build-,$(PRESETS)): build-%:
	@cmake --preset $* >/dev/null
	@cmake --build --preset $*

format:
	@git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format -i

clean:
	rm -rf build
