"""Lightly's SimCLR on CIFAR-10 images, timed the way pretext-cli reports images/s.

Same setting as the pretext run in run.sh: ResNet-18 with the CIFAR stem (3x3 conv, no max-pool),
projection head 512 -> 512 -> 128, NT-Xent with temperature 0.5, SGD (lr 0.06 * batch / 256, momentum
0.9, weight decay 5e-4), SimCLRTransform at 32 px with colour strength 0.5 and no blur (Lightly's
CIFAR-10 benchmark). Data loading runs in DataLoader workers (Lightly's own recommendation), torch
uses all cores. Prints one JSON line.
"""
import argparse
import json
import os
import time

import torch
import torchvision
from lightly.loss import NTXentLoss
from lightly.models.modules import SimCLRProjectionHead
from lightly.transforms import SimCLRTransform


class SimCLR(torch.nn.Module):
    def __init__(self):
        super().__init__()
        resnet = torchvision.models.resnet18()
        resnet.conv1 = torch.nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        resnet.maxpool = torch.nn.Identity()
        resnet.fc = torch.nn.Identity()
        self.backbone = resnet
        self.projection_head = SimCLRProjectionHead(512, 512, 128)

    def forward(self, x):
        return self.projection_head(self.backbone(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder of class folders of images")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    transform = SimCLRTransform(input_size=32, cj_strength=0.5, gaussian_blur=0.0)
    dataset = torchvision.datasets.ImageFolder(args.data, transform=transform)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, drop_last=True,
                                         num_workers=args.workers, persistent_workers=args.workers > 0)
    model = SimCLR().to(device)
    criterion = NTXentLoss(temperature=0.5)
    opt = torch.optim.SGD(model.parameters(), lr=0.06 * args.batch / 256, momentum=0.9, weight_decay=5e-4)

    done, images, t0 = 0, 0, None
    losses = []
    while done < args.warmup + args.steps:
        for (x0, x1), _ in loader:
            if done == args.warmup:
                if device.type == "cuda":
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
            x0, x1 = x0.to(device, non_blocking=True), x1.to(device, non_blocking=True)
            loss = criterion(model(x0), model(x1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            done += 1
            if done > args.warmup:
                images += x0.shape[0]
            if done == args.warmup + args.steps:
                break
    if device.type == "cuda":
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    print(json.dumps({"impl": "lightly", "lightly": __import__("lightly").__version__, "torch": torch.__version__,
                      "images_per_s": images / dt, "steps": args.steps, "batch": args.batch,
                      "first_loss": losses[0], "last_loss": losses[-1]}))


if __name__ == "__main__":
    main()
