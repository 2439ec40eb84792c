"""Lightly's SimCLR on CIFAR-10 images, timed the way pretext-cli reports images/s.

Same setting as the pretext run in run.sh: ResNet-18 with the CIFAR stem (3x3 conv, no max-pool), or
pretext's narrow resnet-tiny rebuilt from torchvision's BasicBlock; projection head width -> 512 -> 128, NT-Xent with temperature 0.5, SGD (lr 0.06 * batch / 256, momentum
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


def resnet18_cifar():
    resnet = torchvision.models.resnet18()
    resnet.conv1 = torch.nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
    resnet.maxpool = torch.nn.Identity()
    resnet.fc = torch.nn.Identity()
    return resnet, 512


class NarrowResNet(torch.nn.Module):
    """pretext's narrow ResNets from torchvision's BasicBlock, CIFAR stem: `resnet-tiny` (one block per
    stage, widths 16-32-64-128) and `resnet-small` (ResNet-18's [2, 2, 2, 2] at widths 32-64-128-256)."""

    def __init__(self, width, blocks_per_stage):
        super().__init__()
        from torchvision.models.resnet import BasicBlock
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, width, 3, 1, 1, bias=False), torch.nn.BatchNorm2d(width),
                                        torch.nn.ReLU(inplace=True))
        blocks, width_in = [], width
        for i in range(4):
            out = width << i
            for b in range(blocks_per_stage):
                stride = 2 if i > 0 and b == 0 else 1
                down = None
                if stride != 1 or width_in != out:
                    down = torch.nn.Sequential(torch.nn.Conv2d(width_in, out, 1, stride, bias=False),
                                               torch.nn.BatchNorm2d(out))
                blocks.append(BasicBlock(width_in, out, stride, down))
                width_in = out
        self.blocks = torch.nn.Sequential(*blocks)
        self.dim = width_in

    def forward(self, x):
        return torch.flatten(torch.nn.functional.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1), 1)


class SimCLR(torch.nn.Module):
    def __init__(self, backbone):
        super().__init__()
        if backbone == "resnet18":
            self.backbone, width = resnet18_cifar()
        else:
            self.backbone = NarrowResNet(16, 1) if backbone == "resnet-tiny" else NarrowResNet(32, 2)
            width = self.backbone.dim
        self.projection_head = SimCLRProjectionHead(width, 512, 128)  # pretext: proj_hidden 512, proj_dim 128

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
    ap.add_argument("--backbone", default="resnet18", choices=["resnet18", "resnet-tiny", "resnet-small"])
    ap.add_argument("--forward", default="separate", choices=["separate", "concat"],
                    help="the two views as two N batches (Lightly's examples) or one 2N batch")
    ap.add_argument("--channels-last", action="store_true")
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    transform = SimCLRTransform(input_size=32, cj_strength=0.5, gaussian_blur=0.0)
    dataset = torchvision.datasets.ImageFolder(args.data, transform=transform)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, drop_last=True,
                                         num_workers=args.workers, persistent_workers=args.workers > 0)
    model = SimCLR(args.backbone).to(device)
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
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
            x0 = x0.to(device, non_blocking=True).contiguous(memory_format=fmt)
            x1 = x1.to(device, non_blocking=True).contiguous(memory_format=fmt)
            if args.forward == "concat":
                z0, z1 = model(torch.cat([x0, x1])).chunk(2)
            else:
                z0, z1 = model(x0), model(x1)
            loss = criterion(z0, z1)
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
                      "images_per_s": images / dt, "backbone": args.backbone, "forward": args.forward,
                      "channels_last": args.channels_last, "threads": args.threads, "workers": args.workers,
                      "parameters": sum(p.numel() for p in model.backbone.parameters()), "steps": args.steps, "batch": args.batch,
                      "first_loss": losses[0], "last_loss": losses[-1]}))


if __name__ == "__main__":
    main()
