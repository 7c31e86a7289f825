// The image of a multipart/form-data upload: what the assignment's Flask client
// (requests.post(url, files={'file': …})) and every HTML form send.
import type { IncomingHttpHeaders } from 'node:http';
import busboy from 'busboy';

export function isMultipart(headers: IncomingHttpHeaders): boolean {
  return /^multipart\/form-data\b/i.test(headers['content-type'] ?? '');
}

/** The first file part of a multipart body already read in full, or what is wrong with it. */
export function firstUploadedFile(body: Buffer, headers: IncomingHttpHeaders): Promise<Buffer | { error: string }> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { files: 1 } });
    } catch (error) {
      resolve({ error: `a multipart body that cannot be read: ${(error as Error).message}` });
      return;
    }
    let file: Buffer | undefined;
    const fields: string[] = [];
    parser.on('file', (_name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => (file ??= Buffer.concat(chunks)));
    });
    parser.on('field', (name) => fields.push(name));
    parser.on('error', (error: Error) => resolve({ error: `a multipart body that cannot be read: ${error.message}` }));
    parser.on('close', () => resolve(file ?? { error: `the multipart form has no file part${fields.length ? ` (only the fields ${fields.join(', ')})` : ''}: send the image as a file, such as files={'file': open('xray.jpg', 'rb')}` }));
    parser.end(body);
  });
}
