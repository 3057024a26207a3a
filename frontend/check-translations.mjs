// Parses every string of the integration's translations/*.json with intl-messageformat, the
// ICU MessageFormat parser Home Assistant's frontend formats them with (and with the same
// options: none), so that a string the frontend would show as "Translation error: ..." fails
// here instead. Prints one line per broken string; exits 1 if there is any.
//
// Usage: node check-translations.mjs [DIRECTORY]   (default: the integration's translations/)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { IntlMessageFormat } from "intl-messageformat";

const directory =
  process.argv[2] ??
  fileURLToPath(new URL("../custom_components/backup_access_codes/translations", import.meta.url));

function* strings(value, path) {
  if (typeof value === "string") {
    yield [path, value];
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      yield* strings(child, path ? `${path}.${key}` : key);
    }
  }
}

let checked = 0;
const problems = [];
const files = readdirSync(directory).filter((name) => name.endsWith(".json")).sort();
for (const file of files) {
  const language = file.slice(0, -".json".length).replace("_", "-");
  const data = JSON.parse(readFileSync(join(directory, file), "utf8"));
  for (const [path, text] of strings(data, "")) {
    checked += 1;
    try {
      new IntlMessageFormat(text, language);
    } catch (err) {
      problems.push(`${file}: ${path}: ${err.message}`);
    }
  }
}
for (const problem of problems) {
  console.log(problem);
}
if (files.length === 0) {
  console.log(`no translation files in ${directory}`);
  process.exit(1);
}
console.log(`${checked} strings in ${files.length} file(s), ${problems.length} broken`);
process.exit(problems.length ? 1 : 0);
