/** What `convlab help` prints: every command and its options. */
export const USAGE = `convlab: explore, train and teach convolutional networks

Usage:
  convlab summary FILE [--model NAME] [--json]   layer table: shapes, parameters, multiply-adds
  convlab train FILE [--model NAME] [--epochs N] [--batch N] [--limit N] [--seed N]
                [--data-dir DIR] [--runs-dir DIR] [--backend NAME] [--native-dir DIR]
                [--resume RUN_DIR] [--workers N (default: 2 on 2+ cores)]
                [--gradient-flow N (record gradient flow every N batches; 20, 0: off)] [--json]
                [--engine auto|tfjs|pytorch (default: tfjs)] [--python PATH]
                [--gpus N (pytorch: N processes under torchrun; CPU processes without CUDA)]
                                                  train a model as its train section says
  convlab inspect FILE --layer NAME [--model NAME] [--run DIR] [--image PATH | --sample N]
                [--data-dir DIR] [--out MAPS.png] [--json]
                                                  a layer's filters and feature maps; --out draws
                                                  them as PNG grids (MAPS.png, MAPS-filters.png)
  convlab gradcam FILE [--run DIR] [--image PATH | --sample N] [--layer NAME] [--class K]
                [--out FILE.png] [--json]          Grad-CAM: where the model looked for a class
  convlab eval RUN [--data DIR|NAME] [--data-dir DIR] [--critical CLASS]... [--backend NAME] [--json]
                                                  a finished run on its test split: accuracy,
                                                  confusion matrix, per-class scores, calibration
  convlab serve RUN [--port N] [--token T] [--refer-below P] [--temperature T] [--data-dir DIR]
                                                  prediction service on 127.0.0.1
  convlab export FILE --to pytorch [--model NAME] [--out DIR] [--run DIR]
                                                  the model as PyTorch code (DIR/NAME.py); with
                                                  --run, its weights (.safetensors, and .pt with torch)
  convlab import-weights FILE STATE_DICT [--model NAME] [--runs-dir DIR]
                                                  a PyTorch state_dict (.safetensors, .pt, .pth)
                                                  into a new run folder
  convlab import-weights [FILE] --torchvision NAME [--model NAME] [--runs-dir DIR]
                                                  torchvision's ImageNet weights (alexnet, vgg16,
                                                  googlenet, resnet18, resnet50) into its sample
  convlab serve-engine                            JSON-lines engine on stdio (for the extension)
  convlab start                                   the main job: LeNet-5 on MNIST
  convlab help                                    this text

Model files use the .cnn language: see docs/language.md.`;


/** A command's entry in USAGE: its line and the indented lines that continue it. */
export function usageOf(name: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`  convlab ${name}`));
  if (start < 0) return USAGE;
  const end = lines.findIndex((line, i) => i > start && !/^ {4,}\S/.test(line));
  return `Usage:\n${lines.slice(start, end < 0 ? undefined : end).join('\n')}\n\nconvlab help lists every command.`;
}
