"""The torchvision side of bench/augment: the same two-view pipeline, built from the same preset
JSON, on PIL images or uint8 tensors. Prints one JSON line like augment_bench.

  python torchvision_peer.py --preset ../../resources/presets/simclr-cifar.json --size 32 --mode pil --procs 1
"""
import argparse
import json
import multiprocessing as mp
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

INTERP = {"bilinear": T.InterpolationMode.BILINEAR, "bicubic": T.InterpolationMode.BICUBIC,
          "nearest": T.InterpolationMode.NEAREST}


def build(view, size):
    """torchvision transform equivalent to one Pretext view spec."""
    out = []
    for op in view["ops"]:
        name, p = op["op"], op.get("p", 1.0)
        if name == "random_resized_crop":
            out.append(T.RandomResizedCrop(size, scale=tuple(op.get("scale", (0.08, 1.0))),
                                           ratio=tuple(op.get("ratio", (0.75, 4 / 3))),
                                           interpolation=INTERP[op.get("interpolation", "bilinear")],
                                           antialias=True))
        elif name == "hflip":
            out.append(T.RandomHorizontalFlip(p))
        elif name == "color_jitter":
            out.append(T.RandomApply([T.ColorJitter(op.get("brightness", 0.4), op.get("contrast", 0.4),
                                                    op.get("saturation", 0.4), op.get("hue", 0.1))], p=p))
        elif name == "grayscale":
            out.append(T.RandomGrayscale(p))
        elif name == "gaussian_blur":
            sigma = tuple(op.get("sigma", (0.1, 2.0)))
            # Pretext sizes the kernel per sample (2*ceil(3 sigma)+1); torchvision needs one size:
            # SimCLR's 10% of the image, odd.
            k = max(3, int(0.1 * size) // 2 * 2 + 1)
            out.append(T.RandomApply([T.GaussianBlur(k, sigma)], p=p))
        elif name == "solarize":
            out.append(T.RandomSolarize(op.get("threshold", 128), p=p))
        else:
            raise SystemExit(f"peer has no mapping for op {name}")
    return T.Compose(out)


def images(mode, size, n):
    rng = np.random.default_rng(1)
    arr = rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)
    if mode == "pil":
        return [Image.fromarray(a) for a in arr]
    return [torch.from_numpy(a).permute(2, 0, 1).contiguous() for a in arr]


def worker(args):
    preset, size, mode, seconds, n = args
    torch.set_num_threads(1)  # one core per process, as DataLoader workers run
    spec = json.load(open(preset))
    views = spec["views"]
    t1, t2 = build(views[0], size), build(views[1 % len(views)], size)
    data = images(mode, size, n)
    for x in data[:64]:
        t1(x)
    done, t0 = 0, time.perf_counter()
    i = 0
    while time.perf_counter() - t0 < seconds:
        for _ in range(32):
            x = data[i % len(data)]
            t1(x)
            t2(x)
            i += 1
        done += 64
    return done, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", required=True)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--mode", choices=["pil", "tensor"], default="pil")
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--images", type=int, default=512)
    a = ap.parse_args()
    job = (a.preset, a.size, a.mode, a.seconds, a.images)
    if a.procs == 1:
        results = [worker(job)]
    else:
        with mp.get_context("fork").Pool(a.procs) as pool:
            results = pool.map(worker, [job] * a.procs)
    views = sum(r[0] for r in results)
    secs = max(r[1] for r in results)
    print(json.dumps({"impl": f"torchvision-{a.mode}", "torchvision": torchvision.__version__,
                      "torch": torch.__version__, "size": a.size, "threads": a.procs, "views": views,
                      "seconds": round(secs, 3), "views_per_s": round(views / secs, 1)}))


if __name__ == "__main__":
    main()
