#!/usr/bin/env bash
# Builds the Vault server that firebreak's tests start in dev mode, from the
# Go module proxy's copy of Vault's source, into the git-ignored .tools/.
#
# Idempotent and cached: if .tools/vault-1.21.4/vault exists it exits at once.
#
# Vault's go.mod replaces its api and sdk modules with in-tree directories that
# the published module does not contain, so `go install` refuses it. This
# script copies the module source into .tools/vault-src-1.21.4, applies a
# three-line patch so it compiles against the published sdk v0.21.0 that its
# go.mod requires (vault-1.21.4-sdk-v0.21.0.patch), and builds it through this
# directory's go.mod, which points github.com/hashicorp/vault at that copy.
set -euo pipefail

VAULT_VERSION=1.21.4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tools="$root/.tools"
bin="$tools/vault-$VAULT_VERSION/vault"
src="$tools/vault-src-$VAULT_VERSION"
patchfile="$here/vault-$VAULT_VERSION-sdk-v0.21.0.patch"

if [[ -x "$bin" ]]; then
	exit 0
fi

say() { echo "vaultserver: $*" >&2; }
for tool in go patch; do
	command -v "$tool" >/dev/null || { say "needs $tool in PATH"; exit 1; }
done
say "building Vault v$VAULT_VERSION from source, about 15 minutes the first time (~4.4 GB of modules); cached in $bin"

# 1. A patched, writable copy of the module source.
if [[ ! -f "$src/.firebreak-patched" ]]; then
	say "fetching github.com/hashicorp/vault@v$VAULT_VERSION from the module proxy"
	scratch=$(mktemp -d)
	# Outside any module, so this go.mod's replace of vault does not apply.
	modjson=$(cd "$scratch" && GOFLAGS=-mod=mod GO111MODULE=on go mod download -json "github.com/hashicorp/vault@v$VAULT_VERSION")
	rmdir "$scratch"
	moddir=$(printf '%s\n' "$modjson" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	if [[ -z "$moddir" || ! -d "$moddir" ]]; then
		say "could not find the downloaded module source:"
		printf '%s\n' "$modjson" >&2
		exit 1
	fi
	say "copying $moddir to $src and patching it"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$tools"
	cp -R "$moddir" "$src.tmp"
	chmod -R u+w "$src.tmp"
	patch -d "$src.tmp" -p1 --forward --quiet <"$patchfile"
	touch "$src.tmp/.firebreak-patched"
	mv "$src.tmp" "$src"
fi

# 2. The server binary: written under a temporary name, renamed when complete,
# so an interrupted build never leaves a half binary behind.
mkdir -p "$(dirname "$bin")"
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
say "compiling (go build -trimpath -ldflags='-s -w' github.com/hashicorp/vault)"
start=$SECONDS
(cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp" github.com/hashicorp/vault)
mv "$tmp" "$bin"
say "built $bin in $((SECONDS - start)) s ($(du -h "$bin" | cut -f1))"
