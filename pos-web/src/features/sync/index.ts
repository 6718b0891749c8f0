// The sync indicator in the header; while it shows, queued sales are re-sent each time the agent answers.
export { SyncIndicator } from "./SyncIndicator";
