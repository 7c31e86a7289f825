# The assignment's own question 9 script: "Question 9" of the course notebook, copied from
# /work/shared/seed/000_7d8b0d92152688ef.txt lines 396-510.
# The changes, all about data, run length and reporting, none about the recipe:
# - the data: the original reads CIFAR-10 with torchvision.datasets.CIFAR10(root='./data',
#   download=True); no download is possible here, so it reads the JPEG copy of CIFAR-10 that
#   ../shared/data/cifar10/cifar10-jpg.tar.gz holds, extracted under ROOT (train/<class>/*.jpg,
#   test/<class>/*.jpg) with torchvision.datasets.ImageFolder, whose sorted class folders give
#   CIFAR-10's label order (airplane … truck). bench/q9.bench.ts extracts it.
# - the subset: with INDICES (a JSON file of training-image positions in ImageFolder's order) it
#   trains on those images only, the same ones ConvLab's `limit` picks.
# - EPOCHS and SEED from the command line (torch.manual_seed(SEED) first), and one JSON line per
#   epoch besides the script's own print; the plot at the end is left out (no display here).
# Usage: /usr/bin/python3 bench/peer/googlenet_q9_assignment.py ROOT EPOCHS SEED [INDICES]
#Question 9: Train a GoogLeNet (Inception v1) or its variant using a standard dataset like CIFAR-10. Plot the training and validation accuracy over epochs and analyze overfitting or underfitting.
import json
import os
import sys
import time
import torch
import torch.nn as nn
import torch.optim as optim
import torchvision
import torchvision.transforms as transforms

ROOT = sys.argv[1]
EPOCHS = int(sys.argv[2])
SEED = int(sys.argv[3])
INDICES = json.load(open(sys.argv[4])) if len(sys.argv) > 4 else None
torch.manual_seed(SEED)

# ---------------------------
# 1. Device config
# ---------------------------
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# ---------------------------
# 2. Data Preprocessing
# ---------------------------
transform_train = transforms.Compose([
    transforms.RandomHorizontalFlip(),
    transforms.RandomCrop(32, padding=4),
    transforms.ToTensor(),
    transforms.Normalize((0.4914, 0.4822, 0.4465),
                         (0.2023, 0.1994, 0.2010)),
])

transform_test = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.4914, 0.4822, 0.4465),
                         (0.2023, 0.1994, 0.2010)),
])
trainset = torchvision.datasets.ImageFolder(os.path.join(ROOT, 'train'), transform=transform_train)
if INDICES is not None:
    trainset = torch.utils.data.Subset(trainset, INDICES)
trainloader = torch.utils.data.DataLoader(trainset, batch_size=128,
                                          shuffle=True, num_workers=2)

testset = torchvision.datasets.ImageFolder(os.path.join(ROOT, 'test'), transform=transform_test)
testloader = torch.utils.data.DataLoader(testset, batch_size=100,
                                         shuffle=False, num_workers=2)

# ---------------------------
# 3. Load GoogLeNet
# ---------------------------
from torchvision.models import googlenet

net = googlenet(num_classes=10, aux_logits=True)  # CIFAR-10 has 10 classes
net = net.to(device)

# ---------------------------
# 4. Loss & Optimizer
# ---------------------------
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(net.parameters(), lr=0.001)

# ---------------------------
# 5. Training Loop
# ---------------------------
num_epochs = EPOCHS
train_acc_list, val_acc_list = [], []
started = time.time()

for epoch in range(num_epochs):
    net.train()
    correct, total = 0, 0

    for inputs, labels in trainloader:
        inputs, labels = inputs.to(device), labels.to(device)

        optimizer.zero_grad()
        outputs, aux2, aux1 = net(inputs)  # GoogLeNet has 3 outputs
        loss1 = criterion(outputs, labels)
        loss2 = criterion(aux1, labels)
        loss3 = criterion(aux2, labels)
        loss = loss1 + 0.3*(loss2 + loss3)  # weighted loss
        loss.backward()
        optimizer.step()

        _, predicted = outputs.max(1)
        total += labels.size(0)
        correct += predicted.eq(labels).sum().item()

    train_acc = 100.*correct/total
    train_acc_list.append(train_acc)

    # Validation
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, labels in testloader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = net(inputs)
            _, predicted = outputs.max(1)
            total += labels.size(0)
            correct += predicted.eq(labels).sum().item()

    val_acc = 100.*correct/total
    val_acc_list.append(val_acc)

    print(f"Epoch [{epoch+1}/{num_epochs}] "
          f"Train Acc: {train_acc:.2f}% | Val Acc: {val_acc:.2f}%")
    print(json.dumps({'epoch': epoch + 1, 'train_acc': train_acc, 'val_acc': val_acc, 'seconds': round(time.time() - started, 1)}), flush=True)
