// Builds the panel into the integration (custom_components/backup_access_codes/frontend/), so
// that HACS installs it as is. Deterministic: the same sources and lockfile give the same bytes.
//
// Usage: node build.mjs           write the bundle
//        node build.mjs --check   exit 1 unless the committed bundle equals a fresh build
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const outfile = fileURLToPath(
  new URL("../custom_components/backup_access_codes/frontend/backup-access-codes-panel.js", import.meta.url),
);
const check = process.argv.includes("--check");

const result = await esbuild.build({
  entryPoints: [fileURLToPath(new URL("src/panel.ts", import.meta.url))],
  bundle: true,
  format: "esm",
  target: "es2021",
  minify: true,
  legalComments: "none",
  charset: "utf8",
  sourcemap: false,
  write: false,
  outfile,
  logLevel: "error",
});
const built = result.outputFiles[0].contents;

if (check) {
  let committed;
  try {
    committed = readFileSync(outfile);
  } catch {
    committed = Buffer.alloc(0);
  }
  if (!Buffer.from(built).equals(committed)) {
    console.log(`${outfile} differs from a fresh build: run "npm run build" in frontend/`);
    process.exit(1);
  }
  console.log(`bundle up to date: ${built.length} bytes, ${gzipSync(built, { level: 9 }).length} gzipped`);
} else {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(outfile, built);
  console.log(`wrote ${outfile}: ${built.length} bytes, ${gzipSync(built, { level: 9 }).length} gzipped`);
}
