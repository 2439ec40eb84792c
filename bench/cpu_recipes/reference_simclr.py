"""The PyTorch SimCLR reference loop issue 23's `cpu-12min` target is measured against, run for a time
budget and then probed exactly as pretext probes its runs.

The reference, as the issue sets it: ResNet-18 with the CIFAR stem at widths 32-64-128-256 (pretext's
`resnet-small`, rebuilt from torchvision's BasicBlock in bench/simclr/lightly_simclr.py), batch 256,
SGD lr 0.06 (momentum 0.9, weight decay 5e-4: Lightly's CIFAR-10 benchmark), NT-Xent at T = 0.5,
Lightly's SimCLRTransform at 32 px (colour strength 0.5, no blur), and a cosine learning rate over the
time budget (the step's share of the budget spent, as pretext's --time-budget does). Data loading runs
in DataLoader workers, as Lightly recommends.

After the budget: the kNN probe of pretext's engine/eval (cosine similarity of the backbone's features,
the top-k neighbours vote with weight exp(s / T), k = 200, T = 0.1) with the training images as the
bank and the held-out images as queries, for the trained network and for the same network untrained.
Prints one JSON line (the same fields as search.py's rows where they exist).

  python bench/cpu_recipes/reference_simclr.py --data TRAIN_FOLDER --eval-data HELD_OUT_FOLDER --budget 720
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torchvision
from lightly.loss import NTXentLoss
from lightly.transforms import SimCLRTransform
from lightly.transforms.utils import IMAGENET_NORMALIZE

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "simclr"))
from lightly_simclr import SimCLR  # noqa: E402  (one definition of the reference network)


def cosine_lr(peak, spent_share):
    return peak * 0.5 * (1.0 + math.cos(math.pi * min(spent_share, 1.0)))


def train(model, loader, budget_s, peak_lr):
    """SimCLR steps until the budget is spent; returns (steps, seconds, first loss, last loss)."""
    criterion = NTXentLoss(temperature=0.5)
    opt = torch.optim.SGD(model.parameters(), lr=peak_lr, momentum=0.9, weight_decay=5e-4)
    model.train()
    steps, losses, t0 = 0, [], time.perf_counter()
    while True:
        for (x0, x1), _ in loader:
            spent = time.perf_counter() - t0
            if spent >= budget_s:
                return steps, spent, losses[0], losses[-1]
            for group in opt.param_groups:
                group["lr"] = cosine_lr(peak_lr, spent / budget_s)
            x0 = x0.contiguous(memory_format=torch.channels_last)
            x1 = x1.contiguous(memory_format=torch.channels_last)
            loss = criterion(model(x0), model(x1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            steps += 1


@torch.no_grad()
def features(backbone, folder, batch=512):
    """L2-normalised backbone features of every image of a class-folder tree, and its labels."""
    plain = torchvision.transforms.Compose([
        torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize(IMAGENET_NORMALIZE["mean"], IMAGENET_NORMALIZE["std"])])
    data = torchvision.datasets.ImageFolder(folder, transform=plain)
    backbone.eval()
    feats, labels = [], []
    for x, y in torch.utils.data.DataLoader(data, batch_size=batch, num_workers=0):
        feats.append(torch.nn.functional.normalize(backbone(x.contiguous(memory_format=torch.channels_last)), dim=1))
        labels.append(y)
    return torch.cat(feats), torch.cat(labels), data.classes


def knn_top1(bank, bank_labels, queries, query_labels, classes, k=200, t=0.1, block=1024):
    """Weighted kNN vote (InstDisc): the k most similar bank features vote for their class with
    exp(similarity / t); top-1 accuracy in percent."""
    correct = 0
    for i in range(0, queries.shape[0], block):
        sims, idx = (queries[i:i + block] @ bank.T).topk(k, dim=1)
        votes = torch.zeros(sims.shape[0], classes)
        votes.scatter_add_(1, bank_labels[idx], (sims / t).exp())
        correct += (votes.argmax(1) == query_labels[i:i + block]).sum().item()
    return 100.0 * correct / queries.shape[0]


def probe(backbone, data, eval_data):
    bank, bank_labels, classes = features(backbone, data)
    queries, query_labels, query_classes = features(backbone, eval_data)
    assert classes == query_classes, "the bank and the queries must name the same classes"
    return knn_top1(bank, bank_labels, queries, query_labels, len(classes)), bank.shape[0], queries.shape[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="training images: class folders (labels only for the probe)")
    ap.add_argument("--eval-data", required=True, help="held-out images: class folders")
    ap.add_argument("--budget", type=float, default=720.0, help="seconds of training")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=0.06)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    model = SimCLR("resnet-small").to(memory_format=torch.channels_last)
    untrained_knn, bank, queries = probe(model.backbone, args.data, args.eval_data)

    transform = SimCLRTransform(input_size=32, cj_strength=0.5, gaussian_blur=0.0)
    dataset = torchvision.datasets.ImageFolder(args.data, transform=transform)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, drop_last=True,
                                         num_workers=args.workers, persistent_workers=args.workers > 0)
    t0 = time.time()
    steps, seconds, first_loss, last_loss = train(model, loader, args.budget, args.lr)
    knn, _, _ = probe(model.backbone, args.data, args.eval_data)
    print(json.dumps({"label": "pytorch-reference-simclr-resnet-small", "steps": steps, "train_s": round(seconds, 1),
                      "wall_s": round(time.time() - t0, 1), "knn": knn, "bank": bank, "queries": queries,
                      "baselines": {"untrained": untrained_knn}, "first_loss": first_loss, "last_loss": last_loss,
                      "batch": args.batch, "lr": args.lr, "workers": args.workers, "threads": args.threads,
                      "seed": args.seed, "torch": torch.__version__, "load": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
