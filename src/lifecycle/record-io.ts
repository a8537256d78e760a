// The record as `remove` reads it: through the Tree, so planned writes count
// (a test plans an `add` and a `remove` in one tree). The lead's reader.
export { readRecordFrom as readRecord } from "../record/plan-recorder.js";
