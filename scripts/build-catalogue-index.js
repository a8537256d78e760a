#!/usr/bin/env node
// Run by `npm run build` after tsc: writes dist/src/catalogue-index.json, the
// bundled recipes' manifests and `show` previews that `list` and `show` use
// while every file they were made from is unchanged (src/recipes/catalogue-index.ts).
import { writeCatalogueIndex } from "../dist/src/recipes/catalogue-index-build.js";

console.log(await writeCatalogueIndex());
