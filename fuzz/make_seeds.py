"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/): one or two small valid inputs each,
made here from scratch (no fetched data). The pipeline target's seed (corpus/pipeline) is written by hand
and it also starts from resources/presets.
Needs Pillow for the image seeds.   python3 fuzz/make_seeds.py"""
import io
import os
import struct

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def idx_images(n, h, w):
    return struct.pack(">IIII", 0x803, n, h, w) + bytes((i * 37) % 256 for i in range(n * h * w))


def idx_labels(n):
    return struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n))


images = idx_images(2, 4, 4)
put("idx", "two-images-with-labels", struct.pack(">H", len(images)) + images + idx_labels(2))
put("idx", "images-only", struct.pack(">H", len(images)) + images)

record = bytes((i * 7) % 256 for i in range(3072))
put("cifar", "cifar10-two-records", b"\x00" + b"\x03" + record + b"\x07" + record)
put("cifar", "cifar100-one-record", b"\x01" + b"\x02\x31" + record)

stl = bytes((i * 11) % 256 for i in range(96 * 96 * 3))
put("stl10", "one-image-one-label", b"\x00\x6c" + stl + b"\x04")  # split 0x6c00 = 27,648 bytes

picture = Image.new("RGB", (6, 4))
picture.putdata([((x * 40) % 256, (y * 60) % 256, 128) for y in range(4) for x in range(6)])
exif = Image.Exif()
exif[0x0112] = 6  # Orientation: rotate 90 clockwise to show
for ext, index, fmt, extra in [("png", 0, "PNG", {"exif": exif.tobytes()}), ("jpg", 1, "JPEG", {"exif": exif.tobytes()}),
                               ("webp", 2, "WEBP", {"exif": exif.tobytes()}), ("tif", 3, "TIFF", {}),
                               ("bmp", 4, "BMP", {}), ("gif", 5, "GIF", {})]:
    buf = io.BytesIO()
    picture.save(buf, fmt, **extra)
    put("image", "six-by-four." + ext, bytes([index]) + buf.getvalue())
buf = io.BytesIO()
picture.convert("L").save(buf, "PNG")
put("image", "grey.png", b"\x00" + buf.getvalue())

put("labels_csv", "three-rows", b"a.png,cat\nb.png,dog\nsub/c.png,cat\n")
put("labels_csv", "header-and-quotes", b"path,label\n\"a.png\",\"cat\"\nb.png,dog\n")


def entry(kind, parent, name, content=b""):
    return bytes([(kind << 4) | parent, len(name)]) + name + (bytes([len(content)]) + content if kind == 0 else b"")


put("folder", "class-folders",
    entry(1, 0, b"cat") + entry(1, 0, b"dog") + entry(0, 1, b"a.png", b"\x89PNG\r\n\x1a\n") + entry(0, 2, b"b.jpg", b"text"))
put("folder", "links", entry(1, 0, b"x") + entry(2, 0, b"loop") + entry(3, 0, b"self") + entry(4, 0, b"fifo.png"))
