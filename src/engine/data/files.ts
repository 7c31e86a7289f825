// Reading dataset files: gzip or not, hashed while read, with truncation reported rather than
// thrown so that the format parsers can name the exact byte where the data stops.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import { constants, createGunzip, gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { DatasetError, formatCount } from './types';

const gunzipAsync = promisify(gunzip);

export interface FileContents {
  /** The file's bytes, decompressed when it is gzip. */
  bytes: Uint8Array;
  /** sha256 of the file as stored. */
  sha256: string;
  /** How byte offsets into `bytes` are described in messages. */
  offsetsIn: 'file' | 'decompressed data';
  /** The gzip stream stops early: `bytes` holds what could be decompressed. */
  gzipTruncated: boolean;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export async function readDataFile(path: string): Promise<FileContents> {
  const stored = await readFile(path);
  const sha256 = createHash('sha256').update(stored).digest('hex');
  if (!isGzip(stored)) return { bytes: stored, sha256, offsetsIn: 'file', gzipTruncated: false };
  try {
    return { bytes: await gunzipAsync(stored), sha256, offsetsIn: 'decompressed data', gzipTruncated: false };
  } catch (error) {
    if ((error as { code?: string }).code !== 'Z_BUF_ERROR') {
      throw new DatasetError(`${path}: corrupt gzip data (${(error as Error).message}); the file may be damaged, download it again`, path);
    }
    // A cut-short download: keep what decompresses, so the parser can say where the data ends.
    const partial = gunzipSync(stored, { finishFlush: constants.Z_SYNC_FLUSH });
    return { bytes: partial, sha256, offsetsIn: 'decompressed data', gzipTruncated: true };
  }
}

/**
 * Streams a file's decompressed chunks (for archives too big to hold twice in memory) and hashes
 * the stored bytes on the way. `digest()` is valid once the chunks are exhausted.
 */
export function streamDataFile(path: string): { chunks: AsyncIterable<Buffer>; digest: () => string } {
  const hash = createHash('sha256');
  let digest: string | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    const gzipped = isGzip(await readStart(path, 2));
    let stored = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        stored += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // pipeline() destroys every stage on an error, so the loop below always sees it.
    const output = gzipped
      ? pipeline(createReadStream(path), hashing, createGunzip(), () => {})
      : pipeline(createReadStream(path), hashing, () => {});
    try {
      for await (const chunk of output) yield chunk as Buffer;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code?.startsWith('Z_')) throw error;
      const problem = code === 'Z_BUF_ERROR' ? 'gzip data ends early' : `corrupt gzip data (${(error as Error).message})`;
      throw new DatasetError(`${path}: ${problem} after ${formatCount(stored)} bytes of the file; it may be damaged, download it again`, path, stored);
    } finally {
      output.destroy();
    }
    digest = hash.digest('hex');
  }
  return {
    chunks: chunks(),
    digest: () => {
      if (digest === undefined) throw new Error(`${path} has not been read to the end`);
      return digest;
    },
  };
}

async function readStart(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Combines per-file digests into one, independent of where the files live and of read order. */
export class ChecksumBuilder {
  private readonly entries = new Map<string, string>();

  add(name: string, sha256: string): void {
    this.entries.set(name, sha256);
  }

  digest(): string {
    const lines = [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, sha]) => `${sha}  ${name}\n`);
    return createHash('sha256').update(lines.join('')).digest('hex');
  }
}
