# Convenience targets; every one calls the scripts that CI and the README use.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: test build demo clean images

test:
	scripts/test.sh

build:
	mkdir -p bin
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/newsflow ./cmd/newsflow
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/fetcher ./services/fetcher/cmd/fetcher
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/parser ./services/parser/cmd/parser
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/indexer ./services/indexer/cmd/indexer

# Container images FROM scratch: newsflow/{newsflow,fetcher,parser,indexer}
# tagged $(VERSION) and dev, and newsflow/nats (nats-server built from its
# module). No registry needed.
images:
	VERSION=$(VERSION) COMMIT=$(COMMIT) scripts/images.sh

demo:
	$(GO) run ./cmd/newsflow demo

clean:
	rm -rf bin data
