import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver/node';
import { positionAt, sample, TestClient, cursor } from './harness';

let client: TestClient;
before(async () => {
  client = await TestClient.start();
});
after(() => client.dispose());

/** The markdown of the hover at the `|` of a text. */
async function hoverText(textWithCursor: string): Promise<string> {
  const { text, position } = cursor(textWithCursor);
  return hoverAtPosition(text, position);
}

async function hoverAtPosition(text: string, position: { line: number; character: number }): Promise<string> {
  const uri = await client.open(text);
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  return hover === null ? '' : (hover.contents as MarkupContent).value;
}

test('a layer line: shapes, parameters, multiply-adds, receptive field, the dense comparison and the doc', async () => {
  const lenet = sample('lenet5.cnn');
  const c1 = await hoverAtPosition(lenet, positionAt(lenet, 'C1:'));
  assert.match(c1, /\*\*C1\*\* · Conv2D · 28×28×1 → \*\*28×28×6\*\*/);
  assert.match(c1, /Parameters: 156 \(all trainable\)/);
  assert.match(c1, /Multiply-adds: 117,600/);
  assert.match(c1, /Receptive field: 5×5/);
  // 784 inputs × 4,704 outputs + 4,704 biases, against the convolution's 156.
  assert.match(c1, /A dense layer from 28×28×1 to 28×28×6 would need 3,692,640 parameters: 23,671× more\./);
  assert.match(c1, /Slides learned filters over the input/);

  const c5 = await hoverAtPosition(lenet, positionAt(lenet, 'C5:', 6));
  assert.match(c5, /\*\*C5\*\* · Dense · 400 → \*\*120\*\*/);
  assert.match(c5, /48,120/);
  assert.doesNotMatch(c5, /A dense layer from/);
});

test('batchnorm splits trainable and non-trainable parameters', async () => {
  const text = await hoverText('model M {\n  input 8x8x3\n  conv 4 3x3\n  batch|norm\n}\n');
  assert.match(text, /Parameters: 16 \(8 trainable, 8 non-trainable\)/);
});

test('a line inside a block lists what each call makes', async () => {
  const vgg = sample('vgg16.cnn');
  const text = await hoverAtPosition(vgg, positionAt(vgg, 'conv filters'));
  // 13 convolutions in VGG16 and 13 in the 2-class VGG16AntsBees made from it.
  assert.match(text, /this line makes 26 layers/);
  assert.match(text, /- VGG16 › block1: 224×224×64 · 1,792 params/);
  assert.match(text, /… and 18 more/);
});

test('a line of a model that `model B = A(…)` instantiates again shows the other shapes too', async () => {
  const googlenet = sample('googlenet.cnn');
  const text = await hoverAtPosition(googlenet, positionAt(googlenet, 'maxpool 3x3 stride 2 ceil'));
  assert.match(text, /112×112×64 → \*\*56×56×64\*\*/);
  assert.match(text, /In GoogLeNetCifar: 8×8×64/);
});

test('a block call: the signature, the doc comment above the block, and what the call makes', async () => {
  const googlenet = sample('googlenet.cnn');
  const text = await hoverAtPosition(googlenet, positionAt(googlenet, 'conv1: cbr', 8));
  assert.match(text, /```cnn\nblock cbr\(filters, k, s = 1\)\n```/);
  assert.match(text, /torchvision's BasicConv2d: convolution without bias, batchnorm, relu\./);
  assert.match(text, /conv1: → 112×112×64 · 9,664 params/);
  const declaration = await hoverAtPosition(googlenet, positionAt(googlenet, 'block inception', 7));
  assert.match(declaration, /block inception\(c1, c3r, c3, c5r, c5, pp\)/);
});

test('a model name: signature, doc comment and totals', async () => {
  const lenet = sample('lenet5.cnn');
  const text = await hoverAtPosition(lenet, positionAt(lenet, 'train LeNet5', 7));
  assert.match(text, /```cnn\nmodel LeNet5\n```/);
  assert.match(text, /61,706 parameters · 416,520 multiply-adds · 28×28×1 → 10 · 9 layers/);
  assert.match(text, /LeNet-5: Y\. LeCun/);
});

test('settings, options, flags, activations, structure keywords and block parameters', async () => {
  const train = 'model M {\n  input 8x8x1\n}\ntrain M {\n';
  assert.match(await hoverText(`${train}  optim|izer adam lr 0.001\n}\n`), /How the weights follow the gradient/);
  assert.match(await hoverText(`${train}  optimizer adam l|r 0.001\n}\n`), /`lr` \(optimizer option, number\): learning rate\./);
  assert.match(await hoverText(`${train}  augment fl|ip\n}\n`), /`flip` \(augment flag\)/);
  assert.match(await hoverText('model M {\n  input 8x8x1\n  conv 4 3x3 re|lu\n}\n'), /`relu` \(activation\): max\(0, x\)/);
  assert.match(await hoverText('model M {\n  input 8x8x1\n  conv 4 3x3 stri|de 2\n}\n'), /`stride` \(conv option, size, default 1\)/);
  assert.match(await hoverText('model M {\n  input 8x8x1\n  resi|dual { conv 1 1x1 }\n}\n'), /\*\*residual\*\* → \*\*8×8×1\*\*\n\nAdds the block's input/);
  assert.match(await hoverText('block b(width = 4) {\n  conv wid|th 1x1\n}\n'), /`width = 4`: a parameter of block b/);
  assert.equal(await hoverText('# a comment|\nmodel M {\n  input 8x8x1\n}\n'), '');
  assert.match(await hoverText('block spare(f) {\n  co|nv f 1x1\n}\n'), /\*\*conv\*\* · Conv2D · made only where a model calls spare/);
});
