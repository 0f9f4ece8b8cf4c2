// build.mjs compiles the demo protocol's Solidity sources with solcjs and writes, per
// contract, <Name>.abi (pretty-printed JSON) and <Name>.bin (hex, no 0x) next to them.
// The abigen v2 bindings are generated from those files; see generate.go.
//
//	node build.mjs            # from contracts/, or: go generate ./contracts
//
// TOOLS_DIR points at the folder whose node_modules holds solc and
// @openzeppelin/contracts (default: <repo>/.tools, installed by the Makefile).
// The output is deterministic: sources are named by relative path and the metadata
// hash is left out of the bytecode, so the same inputs give byte-identical files.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const toolsDir = path.resolve(process.env.TOOLS_DIR || path.join(repo, '.tools'));
const nodeModules = path.join(toolsDir, 'node_modules');

const SOLC_VERSION = '0.8.37';
const CONTRACTS = ['ProtectedVault', 'TokenBridge', 'DrillVault', 'DrillBridge', 'DrillAttacker'];

function fail(msg) {
  console.error(`contracts/build.mjs: ${msg}`);
  process.exit(1);
}

if (!fs.existsSync(path.join(nodeModules, 'solc'))) {
  fail(`solc not found in ${nodeModules}; install the tools (make tools) or set TOOLS_DIR`);
}
const require = createRequire(path.join(nodeModules, 'noop.js'));
const solc = require('solc');
if (!solc.version().startsWith(SOLC_VERSION + '+')) {
  fail(`want solc ${SOLC_VERSION}, have ${solc.version()}; reinstall the tools`);
}

const input = {
  language: 'Solidity',
  sources: Object.fromEntries(
    CONTRACTS.map((name) => [
      `${name}.sol`,
      { content: fs.readFileSync(path.join(here, `${name}.sol`), 'utf8') },
    ]),
  ),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    metadata: { bytecodeHash: 'none' },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};

// findImports resolves the sources' imports; only npm packages under TOOLS_DIR are allowed.
function findImports(importPath) {
  if (!importPath.startsWith('@openzeppelin/contracts/')) {
    return { error: `import ${importPath}: only @openzeppelin/contracts/... is resolved` };
  }
  const file = path.join(nodeModules, importPath);
  try {
    return { contents: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    return { error: `import ${importPath}: ${err.message}` };
  }
}

// The compiler's output goes to a file and is read back from there, never through a
// pipe: the JSON is hundreds of KB and a piped stdout can be cut short.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-solc-'));
const outFile = path.join(tmp, 'output.json');
fs.writeFileSync(outFile, solc.compile(JSON.stringify(input), { import: findImports }));
let output;
try {
  output = JSON.parse(fs.readFileSync(outFile, 'utf8'));
} catch (err) {
  fail(`cannot parse compiler output ${outFile}: ${err.message}`);
}

const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) {
  console.error(e.formattedMessage || e.message);
}
if (errors.length > 0) {
  fail(`${errors.length} compiler error(s); full output in ${outFile}`);
}

for (const name of CONTRACTS) {
  const c = output.contracts?.[`${name}.sol`]?.[name];
  const bin = c?.evm?.bytecode?.object;
  if (!c || !Array.isArray(c.abi) || !bin) {
    fail(`no ABI or bytecode for ${name} in ${outFile}`);
  }
  fs.writeFileSync(path.join(here, `${name}.abi`), JSON.stringify(c.abi, null, 2) + '\n');
  fs.writeFileSync(path.join(here, `${name}.bin`), bin + '\n');
}
fs.rmSync(tmp, { recursive: true, force: true });
