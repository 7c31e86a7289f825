// The WebGPU backend for tests, forced even on a software adapter (scripts/test.mjs points Dawn
// at SwiftShader): outside CI a machine without it skips, in CI (CI=true) that is a failure.
import type { TestContext } from 'node:test';
import { selectBackend } from '../../src/engine/backends/select-backend';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Makes webgpu the active backend; false (after skipping `t`) when it cannot start outside CI. */
export async function useWebgpu(t: TestContext): Promise<boolean> {
  try {
    await selectBackend({ force: 'webgpu' });
    return true;
  } catch (error) {
    const reason = `no WebGPU adapter, not even SwiftShader (is chromium installed?): ${(error as Error).message}`;
    if (inCI) throw new Error(reason, { cause: error });
    t.skip(reason);
    return false;
  }
}
