/** What `convlab help` prints: every command and its options. */
export const USAGE = `convlab: explore, train and teach convolutional networks

Usage:
  convlab summary FILE [--model NAME] [--json]   layer table: shapes, parameters, multiply-adds
  convlab train FILE [--model NAME] [--epochs N] [--batch N] [--limit N] [--seed N]
                [--data-dir DIR] [--runs-dir DIR] [--backend NAME] [--native-dir DIR]
                [--resume RUN_DIR] [--workers N (default: 2 on 2+ cores)] [--json]
                                                  train a model as its train section says
  convlab inspect FILE --layer NAME [--model NAME] [--run DIR] [--image PATH | --sample N]
                [--data-dir DIR] [--json]               a layer's filters and feature maps
  convlab gradcam FILE [--run DIR] [--image PATH | --sample N] [--layer NAME] [--class K]
                [--out FILE.png] [--json]          Grad-CAM: where the model looked for a class
  convlab eval RUN [--data DIR|NAME] [--data-dir DIR] [--critical CLASS]... [--backend NAME] [--json]
                                                  a finished run on its test split: accuracy,
                                                  confusion matrix, per-class scores, calibration
  convlab serve RUN [--port N] [--token T] [--refer-below P] [--temperature T] [--data-dir DIR]
                                                  prediction service on 127.0.0.1
  convlab serve-engine                            JSON-lines engine on stdio (for the extension)
  convlab start                                   the main job: LeNet-5 on MNIST
  convlab help                                    this text

Model files use the .cnn language: see docs/language.md.`;
