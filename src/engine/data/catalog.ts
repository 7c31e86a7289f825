// The datasets ConvLab knows by name: their files, canonical mirrors and published checksums.
import { CIFAR_ARCHIVE, CIFAR10_CLASSES } from './cifar';
import { IDX_FILES } from './idx';

export interface PublishedFile {
  name: string;
  md5: string;
  size: number;
}

export interface KnownDataset {
  /** Also the name of its folder inside a data folder. */
  name: string;
  aliases: string[];
  format: 'idx' | 'cifar-binary';
  classNames: string[];
  /** Base URL of the canonical mirror; a file's URL is this plus its name. */
  mirror: string;
  files: PublishedFile[];
}

const idxNames = Object.values(IDX_FILES).map((name) => `${name}.gz`);

export const KNOWN_DATASETS: KnownDataset[] = [
  {
    name: 'mnist',
    aliases: [],
    format: 'idx',
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    mirror: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
    // MD5s from yann.lecun.com's page, as torchvision lists them.
    files: withChecksums(idxNames, [
      ['f68b3c2dcbeaaa9fbdd348bbdeb94873', 9_912_422],
      ['d53e105ee54ea40749a09fcbcd1e9432', 28_881],
      ['9fb629c4189551a2d022fa330f9573f3', 1_648_877],
      ['ec29112dd5afa0611ce80d1b7f02629c', 4_542],
    ]),
  },
  {
    name: 'fashion-mnist',
    aliases: ['fashion_mnist', 'fashionmnist'],
    format: 'idx',
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    mirror: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    // MD5s from zalandoresearch/fashion-mnist's README.
    files: withChecksums(idxNames, [
      ['8d4fb7e6c68d591d4c3dfef9ec88bf0d', 26_421_880],
      ['25c81989df183df01b3e8a0aad5dffbe', 29_515],
      ['bef4ecab320f06d8554ea6380940ec79', 4_422_102],
      ['bb300cfdad3c16e7a12a480ee83cd310', 5_148],
    ]),
  },
  {
    name: 'cifar10',
    aliases: ['cifar-10', 'cifar_10'],
    format: 'cifar-binary',
    classNames: CIFAR10_CLASSES,
    mirror: 'https://www.cs.toronto.edu/~kriz/',
    // MD5 from the CIFAR page (www.cs.toronto.edu/~kriz/cifar.html).
    files: [{ name: CIFAR_ARCHIVE, md5: 'c32a1d4ab5d03f1284b67883e8d87530', size: 170_052_171 }],
  },
];

export function findKnownDataset(name: string): KnownDataset | undefined {
  const key = name.toLowerCase();
  return KNOWN_DATASETS.find((d) => d.name === key || d.aliases.includes(key));
}

function withChecksums(names: string[], sums: [string, number][]): PublishedFile[] {
  return names.map((name, i) => {
    const [md5, size] = sums[i] as [string, number];
    return { name, md5, size };
  });
}
