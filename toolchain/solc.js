#!/usr/bin/env node
// A native-solc-compatible front-end for the npm `solc` (solcjs) package.
//
// Why: native solc binaries cannot be downloaded on air-gapped machines, while the npm registry
// ships the compiler as WebAssembly. py-solc-x and brownie only need two things from `solc`:
//   `solc --version`          -> a "Version: X.Y.Z+commit.H" line
//   `solc --standard-json ...` -> standard JSON in on stdin, standard JSON out on stdout
// Imports that are not in the input's `sources` are read from disk relative to the working
// directory, --base-path and every --allow-paths entry (what native solc does).
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

function parseArgs(argv) {
  const roots = [process.cwd()];
  let mode = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--version") mode = mode || "version";
    else if (arg === "--standard-json") mode = "standard-json";
    else if (arg === "--allow-paths" || arg === "--base-path" || arg === "--include-path") {
      roots.push(...argv[++i].split(",").filter(Boolean));
    }
  }
  return { mode, roots };
}

function importReader(roots) {
  return (importPath) => {
    for (const root of roots) {
      const candidate = path.resolve(root, importPath);
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
  };
}

function main() {
  const { mode, roots } = parseArgs(process.argv.slice(2));
  if (mode === "version") {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (mode !== "standard-json") {
    process.stderr.write("usage: solc --version | solc --standard-json [--allow-paths DIRS] < input.json\n");
    process.exitCode = 2;
    return;
  }
  const input = fs.readFileSync(0, "utf8");
  // No process.exit(): it can cut a large stdout write short; let the event loop drain instead.
  process.stdout.write(solc.compile(input, { import: importReader(roots) }));
}

main();
