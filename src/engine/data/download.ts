// Downloads a file into place: streamed to a temporary file beside the target, checked against its
// published size and MD5, then renamed, so a reader never sees a partial or corrupt file.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { basename, dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DatasetError, formatCount } from './types';

/** `total` is undefined when the server does not say how big the file is. */
export type ProgressCallback = (received: number, total: number | undefined, file: string) => void;

export interface DownloadOptions {
  md5?: string;
  size?: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Give up when the server sends nothing for this long. */
  idleTimeoutMs?: number;
}

const MAX_REDIRECTS = 5;

export async function downloadFile(url: string, destination: string, options: DownloadOptions = {}): Promise<void> {
  await mkdir(dirname(destination), { recursive: true });
  const temporary = `${destination}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  const file = basename(destination);
  try {
    const response = await get(url, options);
    const header = Number(response.headers['content-length']);
    const total = Number.isFinite(header) && header > 0 ? header : options.size;
    const md5 = createHash('md5');
    let received = 0;
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        md5.update(chunk);
        options.onProgress?.(received, total, file);
        done(null, chunk);
      },
    });
    await pipeline(response, counting, createWriteStream(temporary), { signal: options.signal });
    if (options.size !== undefined && received !== options.size) {
      throw new DatasetError(`${url}: received ${formatCount(received)} bytes, expected ${formatCount(options.size)}; nothing was saved`, url);
    }
    const digest = md5.digest('hex');
    if (options.md5 !== undefined && digest !== options.md5.toLowerCase()) {
      throw new DatasetError(`${url}: MD5 checksum mismatch: expected ${options.md5}, got ${digest} (${formatCount(received)} bytes); the download is corrupt or the mirror changed, and nothing was saved`, url);
    }
    await rename(temporary, destination);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function get(url: string, options: DownloadOptions, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : url.startsWith('http:') ? http : undefined;
    if (!client) {
      reject(new Error(`${url}: only http and https URLs can be downloaded`));
      return;
    }
    const request = client.get(url, { signal: options.signal, headers: { 'user-agent': 'convlab' } }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) reject(new Error(`${url}: more than ${MAX_REDIRECTS} redirects`));
        else get(new URL(location, url).toString(), options, redirects + 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(new Error(`${url}: HTTP ${status} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      resolve(response);
    });
    request.setTimeout(options.idleTimeoutMs ?? 30_000, () => request.destroy(new Error(`${url}: no data for ${(options.idleTimeoutMs ?? 30_000) / 1000} s`)));
    request.on('error', (error) => reject(error.message.includes(url) ? error : new Error(`${url}: ${error.message}`, { cause: error })));
  });
}
