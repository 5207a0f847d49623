// Generated into dist/wasm-bytes.js by js/build.mjs from pkg/backstage_wasm_auth_bg.wasm.
/** The WASM core, base64-encoded. */
declare const wasmBase64: string;
export default wasmBase64;
