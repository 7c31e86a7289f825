// A streaming reader for the few tar archives datasets ship in (ustar, GNU long names, pax paths).
// Node has no tar reader, and this one keeps only the wanted members in memory.
import { DatasetError, formatCount } from './types';

const BLOCK = 512;

interface Header {
  name: string;
  size: number;
  type: string;
}

/**
 * Reads a decompressed tar stream and calls `onFile` with the whole body of each regular file
 * whose name `want` accepts. Returns the names of every member seen. `archive` names the file in
 * errors, whose byte offsets count decompressed bytes.
 */
export async function readTar(
  archive: string,
  chunks: AsyncIterable<Uint8Array>,
  want: (name: string) => boolean,
  onFile: (name: string, body: Buffer) => void | Promise<void>,
): Promise<string[]> {
  const names: string[] = [];
  const header = Buffer.alloc(BLOCK);
  let headerFill = 0;
  let offset = 0; // bytes of the stream consumed
  let skip = 0;
  let body: Buffer | undefined;
  let bodyFill = 0;
  let current: Header | undefined;
  let nextName: string | undefined; // from a GNU 'L' or pax 'x' member, for the member after it
  let ended = false;

  const startMember = (parsed: Header): void => {
    const padding = (BLOCK - (parsed.size % BLOCK)) % BLOCK;
    const isMeta = parsed.type === 'L' || parsed.type === 'x';
    if (!isMeta) {
      parsed.name = nextName ?? parsed.name;
      nextName = undefined;
      names.push(parsed.name);
    }
    const isFile = parsed.type === '0' || parsed.type === '\0' || parsed.type === '7';
    if (isMeta || (isFile && want(parsed.name))) {
      current = parsed;
      body = Buffer.allocUnsafe(parsed.size);
      bodyFill = 0;
      skip = padding;
    } else {
      skip = parsed.size + padding;
    }
  };

  const finishMember = async (member: Header, data: Buffer): Promise<void> => {
    if (member.type === 'L') nextName = cString(data, 0, data.length);
    else if (member.type === 'x') nextName = paxPath(data) ?? nextName;
    else await onFile(member.name, data);
  };

  for await (const chunk of chunks) {
    let pos = 0;
    while (pos < chunk.length && !ended) {
      const available = chunk.length - pos;
      if (body && current && bodyFill < body.length) {
        const n = Math.min(body.length - bodyFill, available);
        body.set(chunk.subarray(pos, pos + n), bodyFill);
        bodyFill += n;
        pos += n;
        offset += n;
      } else if (body && current) {
        const [member, data] = [current, body];
        body = current = undefined;
        await finishMember(member, data);
      } else if (skip > 0) {
        const n = Math.min(skip, available);
        skip -= n;
        pos += n;
        offset += n;
      } else {
        const n = Math.min(BLOCK - headerFill, available);
        header.set(chunk.subarray(pos, pos + n), headerFill);
        headerFill += n;
        pos += n;
        offset += n;
        if (headerFill === BLOCK) {
          headerFill = 0;
          if (header.every((b) => b === 0)) ended = true;
          else startMember(parseHeader(archive, header, offset - BLOCK));
        }
      }
    }
  }
  if (body && current && bodyFill === body.length) {
    const [member, data] = [current, body];
    body = current = undefined;
    await finishMember(member, data);
  }
  if (body && current) {
    throw DatasetError.at(archive, offset, 'truncated', `${current.name} should hold ${formatCount(current.size)} bytes, found ${formatCount(bodyFill)}`, 'decompressed data');
  }
  if (headerFill > 0) throw DatasetError.at(archive, offset, 'truncated', 'the archive ends inside a member header', 'decompressed data');
  return names;
}

function parseHeader(archive: string, block: Buffer, at: number): Header {
  // The checksum is the sum of the header's bytes with its own 8-byte field counted as spaces.
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  const stored = parseOctal(block, 148, 8);
  if (stored !== sum) throw DatasetError.at(archive, at, 'corrupt tar header', `checksum ${stored} does not match ${sum}; is this a tar archive?`, 'decompressed data');
  const name = cString(block, 0, 100);
  const isUstar = block.toString('latin1', 257, 262) === 'ustar';
  const prefix = isUstar ? cString(block, 345, 155) : '';
  return {
    name: (prefix ? `${prefix}/${name}` : name).replace(/^\.\//, ''),
    size: parseSize(block),
    type: String.fromCharCode(block[156] as number),
  };
}

function parseSize(block: Buffer): number {
  // GNU tar writes sizes of 8 GiB and more in base 256, flagged by the top bit.
  if (((block[124] as number) & 0x80) !== 0) {
    let size = (block[124] as number) & 0x7f;
    for (let i = 125; i < 136; i++) size = size * 256 + (block[i] as number);
    return size;
  }
  return parseOctal(block, 124, 12);
}

function parseOctal(block: Buffer, start: number, length: number): number {
  const text = block.toString('latin1', start, start + length).replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(bytes: Buffer, start: number, length: number): string {
  const end = bytes.indexOf(0, start);
  return bytes.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}

/** The `path` record of a pax extended header: lines of "LENGTH key=value\n". */
function paxPath(data: Buffer): string | undefined {
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const length = parseInt(data.toString('latin1', pos, space), 10);
    if (space < 0 || !(length > 0)) return undefined;
    const record = data.toString('utf8', space + 1, pos + length - 1);
    if (record.startsWith('path=')) return record.slice(5).replace(/^\.\//, '');
    pos += length;
  }
  return undefined;
}
