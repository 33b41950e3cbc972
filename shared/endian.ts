/** Whether this host stores numbers little-endian (every platform onnxruntime-node ships for is). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
