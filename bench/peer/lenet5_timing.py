# A shorter timing run of the assignment's LeNet-5 step (lenet5_assignment.py, "Question 6").
# Why it exists: the full assignment script trains 5 epochs (~55 s a run on our 2-core machines);
# the benchmark wants three pairs of images/s figures, so it needs a shorter loop that keeps the
# identical model, data pipeline and step: the same LeNet5 class, DataLoader(batch_size=64,
# shuffle=True) over torchvision's MNIST with ToTensor(), Adam(lr=0.001), CrossEntropyLoss, and
# zero_grad / forward / loss / backward / step / loss.item() per batch, data loading included as in
# the assignment's timed loop. It runs 20 warm-up batches, then times BATCHES more.
# Usage: /usr/bin/python3 bench/peer/lenet5_timing.py ROOT BATCHES
# ROOT holds MNIST/raw/ with the four uncompressed idx files (see pytorch.ts).
# Prints one JSON line:
# {"imagesPerSecond": ..., "batches": ..., "seconds": ..., "torch": "...", "threads": ...}
import json
import sys
import time

import torch
import torch.nn as nn
import torch.optim as optim
import torch.nn.functional as F
import torchvision
import torchvision.transforms as transforms

WARMUP_BATCHES = 20


# Copied unchanged from the assignment's script.
class LeNet5(nn.Module):
    def __init__(self):
        super(LeNet5, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5)   # C1: 1x28x28 -> 6x24x24
        self.pool = nn.AvgPool2d(2, stride=2)         # S2: 6x24x24 -> 6x12x12
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)  # C3: 6x12x12 -> 16x8x8
        # S4: 16x8x8 -> 16x4x4 after pooling
        self.fc1 = nn.Linear(16*4*4, 120)             # C5
        self.fc2 = nn.Linear(120, 84)                 # F6
        self.fc3 = nn.Linear(84, 10)                  # Output layer

    def forward(self, x):
        x = F.tanh(self.conv1(x))
        x = self.pool(x)
        x = F.tanh(self.conv2(x))
        x = self.pool(x)
        x = x.view(-1, 16*4*4)  # Flatten
        x = F.tanh(self.fc1(x))
        x = F.tanh(self.fc2(x))
        x = self.fc3(x)
        return x


def batches_forever(loader):
    """The loader's batches, epoch after epoch (a new shuffle each epoch, as in the assignment)."""
    while True:
        for batch in loader:
            yield batch


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: lenet5_timing.py ROOT BATCHES')
    root = sys.argv[1]
    batches = int(sys.argv[2])
    if batches < 1:
        sys.exit('BATCHES must be at least 1')

    transform = transforms.Compose([transforms.ToTensor()])
    trainset = torchvision.datasets.MNIST(root=root, train=True, download=False, transform=transform)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = LeNet5().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)

    def step(images, labels):
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(images)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        return loss.item(), labels.size(0)

    stream = batches_forever(trainloader)
    for _ in range(WARMUP_BATCHES):
        step(*next(stream))

    images_seen = 0
    start = time.perf_counter()
    for _ in range(batches):
        _, n = step(*next(stream))
        images_seen += n
    seconds = time.perf_counter() - start

    print(json.dumps({
        "imagesPerSecond": images_seen / seconds,
        "batches": batches,
        "seconds": seconds,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
