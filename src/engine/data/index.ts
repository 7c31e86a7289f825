// The data layer's public surface: datasets as plain typed arrays, for the trainer to wrap.
export { DatasetError, formatCount, type Batch, type BatchOptions, type Dataset, type Split } from './types';
export { holdout, labelCounts } from './split';
export { openDataset, type OpenDatasetOptions } from './open';
export { defaultCacheDir, dataLocations, type DataLocation, type Environment } from './locations';
export { downloadFile, type DownloadOptions, type ProgressCallback } from './download';
export { KNOWN_DATASETS, findKnownDataset, type KnownDataset, type PublishedFile } from './catalog';
export { CAFFE_NORMALIZATION, IMAGENET_NORMALIZATION, SIGNED_UNIT_NORMALIZATION, type Normalization } from './normalize';
export type { ImageFolderOptions } from './image-folder';
export type { ResizeMode } from './resize';
