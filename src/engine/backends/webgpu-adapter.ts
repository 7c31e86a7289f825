// What the backend ladder needs to know about a WebGPU adapter: its name for the reason it
// gives, and whether it is a software renderer (SwiftShader, llvmpipe's lavapipe, WARP), which
// runs WGSL on the CPU slower than our wasm kernels do.

export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** Newer Dawn puts it here; older builds on the adapter itself. */
  isFallbackAdapter?: boolean;
}

export interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}

export interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

export function describeAdapter(adapter: AdapterLike): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'an unnamed adapter';
}

export function isSoftwareAdapter(adapter: AdapterLike): boolean {
  const info = adapter.info ?? {};
  if (adapter.isFallbackAdapter === true || info.isFallbackAdapter === true) return true;
  return SOFTWARE_RENDERERS.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}
