"""PyTorch eager doing what `pretext-cli device-check` times: SimCLR on ResNet-18 (CIFAR stem), a
fixed random batch of two 32 px views already on the GPU, projector 512 -> 512 -> 128 with BN,
NT-Xent (temperature 0.5), SGD (lr 0.06 * batch / 256, momentum 0.9, weight decay 5e-4), channels-last,
the loss read back every step (the trainer checks each loss for NaN), autocast bf16/fp16 (fp16 with
GradScaler). Prints one JSON line per precision.
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F
import torchvision


def nt_xent(z1, z2, t):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = z @ z.t() / t
    logits.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(logits.float(), target)


class SimCLR(torch.nn.Module):
    def __init__(self):
        super().__init__()
        r = torchvision.models.resnet18()
        r.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        r.maxpool = torch.nn.Identity()
        r.fc = torch.nn.Identity()
        self.backbone = r
        self.projector = torch.nn.Sequential(torch.nn.Linear(512, 512), torch.nn.BatchNorm1d(512),
                                             torch.nn.ReLU(), torch.nn.Linear(512, 128))

    def forward(self, x):
        return self.projector(self.backbone(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--amp", nargs="+", default=["off", "bf16", "fp16"])
    args = ap.parse_args()
    dev = torch.device("cuda")
    g = torch.Generator().manual_seed(1)
    views = [torch.randn(args.batch, 3, 32, 32, generator=g).to(dev).contiguous(memory_format=torch.channels_last)
             for _ in range(2)]
    for mode in args.amp:
        torch.manual_seed(0)
        model = SimCLR().to(dev).to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=0.06 * args.batch / 256, momentum=0.9, weight_decay=5e-4)
        scaler = torch.amp.GradScaler("cuda", enabled=mode == "fp16")
        dtype = torch.float16 if mode == "fp16" else torch.bfloat16
        first = last = None
        for s in range(args.warmup + args.steps):
            if s == args.warmup:
                torch.cuda.synchronize()
                t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=dtype, enabled=mode != "off"):
                loss = nt_xent(model(views[0]), model(views[1]), 0.5)
            value = loss.item()
            first = value if first is None else first
            last = value
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        print(json.dumps({"impl": "pytorch-eager", "torch": torch.__version__, "amp": mode,
                          "images_per_s": args.batch * args.steps / dt, "first_loss": first, "last_loss": last}),
              flush=True)


if __name__ == "__main__":
    main()
