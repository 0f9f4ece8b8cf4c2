// extract.mjs copies the ABI and creation bytecode of the Safe contracts firebreak
// deploys in tests and the Safe demo out of the npm package
// @safe-global/safe-contracts (Hardhat artifacts, compiled and audited upstream):
// per contract, <Name>.abi (pretty-printed JSON) and <Name>.bin (hex, no 0x) next
// to this file. The abigen v2 bindings are generated from those files; see doc.go.
//
//	node extract.mjs          # from contracts/safe/, or: go generate ./contracts/...
//
// TOOLS_DIR points at the folder whose node_modules holds the package (default:
// <repo>/.tools, installed by the Makefile). Nothing is compiled here: the bytecode
// is the package's own, byte for byte.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(path.dirname(here));
const toolsDir = path.resolve(process.env.TOOLS_DIR || path.join(repo, '.tools'));
const pkgDir = path.join(toolsDir, 'node_modules', '@safe-global', 'safe-contracts');

const VERSION = '1.4.1';
const ARTIFACTS = {
  Safe: 'Safe.sol/Safe.json',
  SafeL2: 'SafeL2.sol/SafeL2.json',
  SafeProxyFactory: 'proxies/SafeProxyFactory.sol/SafeProxyFactory.json',
};

function fail(msg) {
  console.error(`contracts/safe/extract.mjs: ${msg}`);
  process.exit(1);
}

let pkg;
try {
  pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
} catch (err) {
  fail(`@safe-global/safe-contracts not found in ${pkgDir}; install the tools (make tools) or set TOOLS_DIR`);
}
if (pkg.version !== VERSION) {
  fail(`want @safe-global/safe-contracts ${VERSION}, have ${pkg.version}; reinstall the tools`);
}

for (const [name, rel] of Object.entries(ARTIFACTS)) {
  const file = path.join(pkgDir, 'build', 'artifacts', 'contracts', rel);
  let art;
  try {
    art = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`reading ${file}: ${err.message}`);
  }
  const bin = (art.bytecode || '').replace(/^0x/, '');
  if (!Array.isArray(art.abi) || bin.length === 0) {
    fail(`no ABI or bytecode in ${file}`);
  }
  fs.writeFileSync(path.join(here, `${name}.abi`), JSON.stringify(art.abi, null, 2) + '\n');
  fs.writeFileSync(path.join(here, `${name}.bin`), bin + '\n');
}
