# firebreak — the commands a newcomer needs:
#   make demo   run the whole containment path on a local chain
#   make test   run every test (installs the tools it needs first)
#   make playground   the demo, then everything kept running to explore
#
# Tools come from the registries this machine reaches (npm, the Go module
# proxy) and are cached under .tools/ (git-ignored), so repeat runs are fast.

SHELL       := /bin/bash
GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
TOOLS       := $(CURDIR)/.tools
ANVIL       := $(TOOLS)/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
NPM_STAMP   := $(TOOLS)/.npm-$(shell cat tools/package-lock.json tools/package.json | sha256sum | cut -c1-16)
BIN         := bin/firebreak
GO_PACKAGES := ./...

export FIREBREAK_ANVIL := $(ANVIL)

.PHONY: all build vault-server plugin test vet lint fmt-check demo run playground tools browser generate check-generate policy-test bench chaos fuzz clean help

all: build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

build: ## build bin/firebreak
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/firebreak

plugin: ## build bin/firebreak-vault-plugin, the Vault secrets engine (register it in your Vault)
	$(GO) build -trimpath -o bin/firebreak-vault-plugin ./cmd/firebreak-vault-plugin

tools: $(NPM_STAMP) ## install anvil, solcjs, OpenZeppelin and Safe artifacts into .tools/

$(NPM_STAMP): tools/package.json tools/package-lock.json
	@echo "installing tools from npm into .tools/ (anvil 1.7.1, solc, OpenZeppelin, Safe)"
	@mkdir -p $(TOOLS)
	@cp tools/package.json tools/package-lock.json $(TOOLS)/
	@cd $(TOOLS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@rm -f $(TOOLS)/.npm-*
	@touch $@
	@$(ANVIL) --version | head -1

vault-server: ## build the Vault server the tests run (from the Go module proxy's source; ~15 min the first time, cached in .tools/)
	@bash test/vaultserver/build.sh

browser: ## install Debian's chromium, the headless browser the console test drives (needs root or sudo)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { echo "installing Debian's chromium for the console test"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }

test: tools vault-server browser vet ## run all tests with -race against real NATS, anvil, Vault, OPA and Chromium
	FIREBREAK_REQUIRE_TOOLS=1 $(GO) test -race -count=1 -timeout 20m $(GO_PACKAGES)

vet: ## go vet and a gofmt check
	$(GO) vet $(GO_PACKAGES)
	@unformatted=$$(find . -name '*.go' -not -path './.tools/*' -print0 | xargs -0 gofmt -l); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

lint: vet check-generate ## vet, gofmt and generated-code drift

demo: tools build ## start anvil + embedded NATS, deploy the demo protocol, pause it on a critical event
	$(BIN) demo

playground: tools build ## the demo, then keep anvil, NATS, the engine, the console and metrics running to explore (Ctrl-C stops it)
	$(BIN) demo --keep

run: demo ## same as demo: the main job on the embedded default

policy-test: ## run the shipped policies' Rego tests, with coverage
	$(GO) run ./cmd/firebreak policy test policies/

generate: tools ## recompile the demo contracts with solcjs, extract the Safe artifacts, regenerate the abigen v2 bindings
	TOOLS_DIR=$(TOOLS) $(GO) generate ./contracts/...

check-generate: generate ## fail if committed artifacts or bindings differ from a fresh generate
	@git diff --exit-code -- contracts/ && test -z "$$(git status --porcelain -- contracts/)" \
	  || { echo "contracts/ drifted from its sources: run 'make generate' and commit"; exit 1; }

bench: tools vault-server ## run the benchmarks
	FIREBREAK_REQUIRE_TOOLS=1 $(GO) test -p 1 -run '^$$' -bench . -benchmem $(GO_PACKAGES)

chaos: tools vault-server ## the full chaos suite: engine kills, a 3-node NATS cluster, 3-minute RPC and Vault outages (docs/chaos.md)
	FIREBREAK_CHAOS=full FIREBREAK_REQUIRE_TOOLS=1 $(GO) test -count=1 -v -timeout 60m ./test/chaos/

fuzz: ## fuzz the event decoder for 60s
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 60s ./engine/event/

clean: ## remove build output (keeps the .tools cache)
	rm -rf bin
