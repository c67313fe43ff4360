# MiceDB front door. `make run` and `make test` are all a newcomer needs.
#   make          build build/micedb and the tests
#   make run      install missing packages, build, start one node with embedded defaults
#   make test     install, build, run every test (ctest)
#   make asan     AddressSanitizer + UndefinedBehaviorSanitizer build, whole suite
#   make tsan     ThreadSanitizer build, whole suite
#   make fuzz     libFuzzer targets (clang) in build-fuzz/fuzz/
#   make bench    benchmarks (bench/)
#   make soak     long simulator runs
#   make chaos    long chaos runs: real clusters, faults, linearizability checked (tests/chaos)
#   make slt      every sqllogictest file in $(SLT_DIR) (default ../shared/slt), totals printed
JOBS ?= $(shell nproc)
CTEST_FLAGS ?= --output-on-failure -j $(JOBS)
RUN_ARGS ?=
SLT_DIR ?= ../shared/slt
SLT_ARGS ?=

.PHONY: all build deps run test asan tsan fuzz bench soak chaos slt clean format tidy

all: build

deps:
	@scripts/deps.sh

build/build.ninja:
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: build/build.ninja
	@cmake --build build -j $(JOBS)

run: deps build
	./build/micedb start $(RUN_ARGS)

test: deps build
	cd build && ctest $(CTEST_FLAGS)

build-asan/build.ninja:
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMICE_SANITIZE=address >/dev/null

asan: deps build-asan/build.ninja
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest $(CTEST_FLAGS)

build-tsan/build.ninja:
	@CC=clang cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMICE_SANITIZE=thread >/dev/null

tsan: deps build-tsan/build.ninja
	@cmake --build build-tsan -j $(JOBS)
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 \
	  ignore_noninstrumented_modules=1 suppressions=$(CURDIR)/tests/tsan.supp" ctest $(CTEST_FLAGS)

build-fuzz/build.ninja:
	@CC=clang cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMICE_SANITIZE=address -DMICE_FUZZ=ON >/dev/null

fuzz: deps build-fuzz/build.ninja
	@cmake --build build-fuzz -j $(JOBS)
	@echo "fuzzers in build-fuzz/fuzz/; e.g. build-fuzz/fuzz/fuzz_keyenc -max_total_time=60"

bench: deps build
	@bench/run.sh

soak: deps build
	@if [ -x build/micedb-sim ]; then ./build/micedb-sim raft --seeds 1-20000; \
	 else echo "soak: micedb-sim not built yet"; exit 1; fi

chaos: deps build
	@tests/chaos/long.sh

slt: deps build
	@/usr/bin/python3 tests/slt/slt.py --bin build/micedb --results tests/slt/RESULTS.md \
	  $(SLT_ARGS) $(SLT_DIR); rc=$$?; [ $$rc -eq 77 ] && rc=0; exit $$rc

format:
	@clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]')

tidy:
	@../shared/tools/tidy

clean:
	rm -rf build build-asan build-tsan build-fuzz
