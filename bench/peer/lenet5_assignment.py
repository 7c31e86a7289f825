# The assignment's own LeNet-5 script: "Question 6" of the course notebook, copied from
# /work/shared/seed/000_7d8b0d92152688ef.txt lines 129-218 (notebook cell "In [1]").
# The one change: the data location. The original reads MNIST from root='./data' with
# download=True; here ROOT comes from argv[1] (else env CONVLAB_MNIST_ROOT, else './data') and
# download=False, so nothing is fetched. ROOT must hold MNIST/raw/ with the four uncompressed idx
# files (bench/peer/pytorch.ts prepareTorchvisionMnist writes them).
# Usage: /usr/bin/python3 bench/peer/lenet5_assignment.py ROOT
#Question 6: Implement the LeNet-5 architectures using Tensorflow or PyTorch to classify the MNIST dataset. Report the accuracy and training time.
import torch
import torch.nn as nn
import torch.optim as optim
import torch.nn.functional as F
import torchvision
import torchvision.transforms as transforms
import time
import os
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('CONVLAB_MNIST_ROOT', './data')

# ---------------------------
# LeNet-5 Model Definition
# ---------------------------
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


# ---------------------------
# Data Loading (MNIST)
# ---------------------------
transform = transforms.Compose([transforms.ToTensor()])

trainset = torchvision.datasets.MNIST(root=ROOT, train=True, download=False, transform=transform)
trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)

testset = torchvision.datasets.MNIST(root=ROOT, train=False, download=False, transform=transform)
testloader = torch.utils.data.DataLoader(testset, batch_size=1000, shuffle=False)

# ---------------------------
# Training
# ---------------------------
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = LeNet5().to(device)

criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.001)

start_time = time.time()

for epoch in range(5):  # 5 epochs
    running_loss = 0.0
    for images, labels in trainloader:
        images, labels = images.to(device), labels.to(device)

        optimizer.zero_grad()
        outputs = model(images)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()

    print(f"Epoch {epoch+1}, Loss: {running_loss/len(trainloader):.4f}")

training_time = time.time() - start_time

# ---------------------------
# Evaluation
# ---------------------------
correct = 0
total = 0
with torch.no_grad():
    for images, labels in testloader:
        images, labels = images.to(device), labels.to(device)
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()

accuracy = 100 * correct / total

print(f"\nTest Accuracy: {accuracy:.2f}%")
print(f"Training Time: {training_time:.2f} seconds")
