// What counts as an image and as a validation folder in an image-folder dataset: shared by the
// loader and the listings that need no decoder (class counts, the time estimate).
export const IMAGE_FILE = /\.(jpe?g|png)$/i;
export const VALIDATION_FOLDERS = ['val', 'valid', 'validation'];
