import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fitTemperature } from '../evaluation/temperature';
import { DatasetError } from '../data/index';
import { imageBytesToInput } from '../data/image-file';
import { collectLogits } from '../evaluation/predict-split';
import { gradCam } from '../explanation/grad-cam';
import { loadInspectable, type InspectableModel } from '../explanation/feature-maps';
import { normalizationFor, openTrainingData } from '../data/training-data';
import { tf } from '../backends/tf';
import { firstUploadedFile, isMultipart } from './multipart';

export interface ServiceOptions {
  run: string;
  /** The model file; read from the run's summary.json when left out. */
  file: string;
  model?: string;
  port?: number;
  /** Required in `Authorization: Bearer …`; a random one when left out. */
  token?: string;
  /** Predictions whose calibrated confidence is below this say "refer to a specialist". */
  referBelow?: number;
  /** A temperature to use instead of fitting one on the validation split. */
  temperature?: number;
  dataDir?: string;
  maxBodyBytes?: number;
  maxPixels?: number;
  /** Class names in output order (summary.json has them); indices otherwise. */
  classes?: string[];
}

export interface PredictionService {
  url: string;
  token: string;
  temperature: number;
  close(): Promise<void>;
}

/**
 * A local prediction service: HTTP on 127.0.0.1 only, a bearer token on every request.
 * POST /predict with an image (JPEG or PNG) as the body gives the class, the calibrated
 * probabilities and whether to refer; `?gradcam=1` adds the heat map. Bad input gets a 4xx that
 * says why; nothing a client sends can stop the service.
 */
export async function startPredictionService(options: ServiceOptions): Promise<PredictionService> {
  const model = await loadInspectable({ file: options.file, model: options.model, run: options.run });
  const temperature = options.temperature ?? (await fittedTemperature(model, options));
  const token = options.token ?? randomBytes(24).toString('base64url');
  const handler = new Predictor(model, temperature, options);
  const server = createServer((request, response) => {
    handler.handle(request, response, token).catch((error: unknown) => reply(response, 500, { error: `internal error: ${error instanceof Error ? error.message : String(error)}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, token, temperature, close: () => closeServer(server, model) };
}

async function fittedTemperature(model: InspectableModel, options: ServiceOptions): Promise<number> {
  const { graph, spec } = model.loaded;
  if (spec.validation.kind === 'none') return 1;
  const data = await openTrainingData(graph, spec, { file: options.file, dataDir: options.dataDir });
  if (!data.validation) return 1;
  return fitTemperature(await collectLogits(model.compiled, data.validation, graph.nodes[0]!.outputShape!, spec.batch, data.classCount));
}

class Predictor {
  private readonly shape: [number, number, number];
  private readonly classes: string[];

  constructor(private readonly model: InspectableModel, private readonly temperature: number, private readonly options: ServiceOptions) {
    const { graph } = model.loaded;
    this.shape = graph.nodes[0]!.outputShape as [number, number, number];
    const count = graph.nodes[graph.outputs[0]!.node]!.outputShape![0]!;
    this.classes = options.classes && options.classes.length === count ? options.classes : Array.from({ length: count }, (_, i) => String(i));
  }

  async handle(request: IncomingMessage, response: ServerResponse, token: string): Promise<void> {
    if (!authorised(request.headers.authorization, token)) return reply(response, 401, { error: 'missing or wrong token: send Authorization: Bearer <token>' });
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/health' && request.method === 'GET') {
      return reply(response, 200, { model: this.model.loaded.graph.name, weights: this.model.weights, temperature: this.temperature, inputShape: this.shape });
    }
    if (url.pathname !== '/predict') return reply(response, 404, { error: `no ${url.pathname} here: POST /predict` });
    if (request.method !== 'POST') return reply(response, 405, { error: 'POST an image to /predict' });
    const raw = await readBody(request, this.options.maxBodyBytes ?? 10_000_000);
    if (raw === 'too large') return reply(response, 413, { error: `the image is larger than ${(this.options.maxBodyBytes ?? 10_000_000).toLocaleString('en-US')} bytes` });
    const body = isMultipart(request.headers) ? await firstUploadedFile(raw, request.headers) : raw;
    if (!Buffer.isBuffer(body)) return reply(response, 400, body);
    if (body.length === 0) return reply(response, 400, { error: 'the body is empty: POST the image bytes, or a multipart form with the image as a file' });
    if (this.shape.length !== 3) return reply(response, 400, { error: 'this model takes vectors, not images' });
    let input: Float32Array;
    try {
      const { spec } = this.model.loaded;
      input = imageBytesToInput(body, 'the request body', this.shape, spec.data ? normalizationFor(spec.data.source, spec.data.normalize, spec.data) : 'unit', this.options.maxPixels);
    } catch (error) {
      if (error instanceof DatasetError) return reply(response, 400, { error: error.message });
      throw error;
    }
    reply(response, 200, this.predict(input, url.searchParams.get('gradcam') === '1'));
  }

  private predict(input: Float32Array, withGradCam: boolean) {
    const { compiled } = this.model;
    const logits = tf.tidy(() => {
      const out = compiled.model.predict(tf.tensor(input, [1, ...this.shape]));
      return (Array.isArray(out) ? out[0]! : out).squeeze([0]);
    });
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    const scores = compiled.outputKinds[0] === 'logits' ? Array.from(values) : Array.from(values, (p) => Math.log(Math.max(p, 1e-7)));
    const top = Math.max(...scores);
    const exps = scores.map((z) => Math.exp((z - top) / this.temperature));
    const total = exps.reduce((a, b) => a + b, 0);
    const probabilities = exps.map((e) => e / total);
    const classIndex = probabilities.indexOf(Math.max(...probabilities));
    const confidence = probabilities[classIndex]!;
    const referBelow = this.options.referBelow ?? 0.8;
    const cam = withGradCam ? gradCam(this.model.loaded.graph, compiled, input, { classIndex }) : undefined;
    return {
      class: this.classes[classIndex]!, classIndex, confidence, refer: confidence < referBelow,
      advice: confidence < referBelow ? `confidence ${(confidence * 100).toFixed(1)}% is below ${(referBelow * 100).toFixed(0)}%: refer to a specialist` : undefined,
      probabilities: Object.fromEntries(this.classes.map((name, i) => [name, probabilities[i]!])), temperature: this.temperature,
      gradcam: cam && { layer: cam.layer, height: cam.height, width: cam.width, values: Array.from(cam.heatmap, (v) => Math.round(v * 1000) / 1000) },
    };
  }
}

function authorised(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the client can still read the 413;
      // a sender that goes on far past it is cut off.
      if (size <= limit) chunks.push(chunk);
      else if (size > 10 * limit) request.destroy();
    });
    request.on('end', () => resolve(size > limit ? 'too large' : Buffer.concat(chunks)));
    request.on('close', () => resolve('too large'));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: object): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function closeServer(server: Server, model: InspectableModel): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  model.compiled.model.dispose();
}
