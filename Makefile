# ssis-ha-lint — build, test, lint.
GO      ?= go
BIN     ?= bin/ssis-ha-lint
WINBIN  ?= bin/ssis-ha-lint.exe
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PKGS    := ./...

.PHONY: all build build-windows test test-windows lint demo bench fuzz testdata clean

all: lint test build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ssis-ha-lint

## build-windows: the binary to copy to a node (collect --local), windows/amd64
build-windows:
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(WINBIN) ./cmd/ssis-ha-lint

## test: every Go test, including the Rego unit tests and the end-to-end tests of the built binary
test:
	$(GO) test -count=1 $(PKGS)

## test-windows: the local collector's tests under Wine 8 on a fresh seeded
## prefix (installs wine and mingw binutils with apt-get when missing: root)
test-windows:
	bash collectors/windows/testdata/wine-test.sh

## lint: gofmt, go vet, and go vet for Windows (the Windows collector)
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './tools/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	GOOS=windows $(GO) vet $(PKGS)

## demo: scan the shipped healthy example deployment, then a broken one
demo: build
	./$(BIN) scan --bundle testdata/bundles/healthy-ag
	-./$(BIN) scan --bundle testdata/bundles/cert-renewed-one-node

## bench: the Go benchmarks with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## bench-compare: the built scan vs opa eval and conftest on the same facts and
## Rego (synthetic 100-node deployment), medians and ratios (NODES, RUNS, FLEET)
bench-compare:
	bash policies/bench/compare.sh

## fuzz: each fuzz target for FUZZTIME (default 10s)
FUZZTIME ?= 10s
# Minimizing a new interesting input defaults to 60s, which overruns a short
# -fuzztime and makes go test report "context deadline exceeded".
FUZZMINIMIZE ?= 200x
fuzz:
	bash .ci/fuzz.sh $(GO) $(FUZZTIME) $(FUZZMINIMIZE) $(PKGS)

## testdata: regenerate the example bundles from the generator
testdata:
	$(GO) test ./collectors/bundlegen -run TestTestdata -update

clean:
	rm -rf bin
