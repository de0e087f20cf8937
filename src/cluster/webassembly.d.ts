/**
 * The part of the WebAssembly JavaScript API that kernels.ts uses. Node has it as a global, but
 * @types/node 20 does not declare it (TypeScript keeps it in its DOM and WebWorker libraries, whose
 * other globals this project must not see).
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Instance {
    constructor(module: Module, imports?: object);
    readonly exports: Record<string, unknown>;
  }
  function compile(bytes: Uint8Array): Promise<Module>;
}
