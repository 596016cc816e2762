# The README's commands. Each one installs what is missing first, so a fresh
# Debian 12 machine needs nothing but `make run` or `make test`.
#   make run    build and serve examples/quickstart on 127.0.0.1:8080
#   make test   build with ASan+UBSan and run every test; last line "N passed, N failed"
#   make build  optimized build; the binary is build/plinth
#   make bench  benchmarks on an optimized build, printing ratios to their baselines

JOBS ?= 2
CMAKE_FLAGS := -G Ninja -DCMAKE_CXX_COMPILER=g++
PORT ?= 8080
DATA ?= data/quickstart

.PHONY: build run test bench deps format clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B build $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLINTH_TESTS=OFF >/dev/null
	@cmake --build build -j $(JOBS) --target plinth

run: build
	@mkdir -p $(DATA)
	build/plinth serve --app examples/quickstart --data $(DATA) --listen 127.0.0.1:$(PORT)

test: deps
	@cmake -S . -B build/asan $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DPLINTH_SANITIZE=ON >/dev/null
	@cmake --build build/asan -j $(JOBS)
	@scripts/run-tests.sh build/asan

bench: deps
	@cmake -S . -B build/bench $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Release -DPLINTH_TESTS=OFF -DPLINTH_BENCH=ON >/dev/null
	@cmake --build build/bench -j $(JOBS)
	@bench/run.sh build/bench

format:
	@clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'bench/*.cc')

clean:
	rm -rf build
