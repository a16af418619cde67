// What bench/eventlog uses of the log's internals (not part of the package API).
export { checkEvents } from '../../src/log/eventCheck.js';
export { encodeEvent } from '../../src/log/eventCodec.js';
