/** The part of Node's WebAssembly global used here: @types/node declares its types, not the global. */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  readonly Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}

const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Each kernel compiled once per thread, by its module's bytes in base64. */
const compiled = new Map<string, object>();

/** An instance of a kernel: its exported functions and the memory it was given. */
export interface KernelInstance {
  readonly exports: Record<string, unknown>;
  /** The instance's own memory (the kernels never grow it). */
  readonly memory: ArrayBuffer;
}

/**
 * A new instance of the WebAssembly kernel `base64` (a generated module, see
 * bin/build-kernels.js: no runtime, memory imported) with a memory of its own of at least
 * `bytes` bytes. The kernel is compiled on its first instance in a thread.
 *
 * @example
 * const { exports, memory } = instantiateKernel(ANCHOR_LANES_WASM, 0x20000);
 */
export function instantiateKernel(base64: string, bytes: number): KernelInstance {
  const memory = new webAssembly.Memory({ initial: Math.ceil(bytes / 0x10000) });
  let module = compiled.get(base64);
  if (module === undefined) {
    module = new webAssembly.Module(Buffer.from(base64, 'base64'));
    compiled.set(base64, module);
  }
  const instance = new webAssembly.Instance(module, { env: { memory } });
  return { exports: instance.exports, memory: memory.buffer };
}
