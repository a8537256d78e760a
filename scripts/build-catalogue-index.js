#!/usr/bin/env node
// Run by `npm run build` after tsc: writes dist/src/catalogue-index.json, the
// bundled recipes' manifests and `show` previews that `list` and `show` use
// while every file they were made from is unchanged (src/recipes/catalogue-index.ts);
// and dist/src/help.json, what `--help` prints to a pipe.
import { writeCatalogueIndex, writeHelpCache } from "../dist/src/recipes/catalogue-index-build.js";

console.log(await writeCatalogueIndex());
console.log(writeHelpCache());
