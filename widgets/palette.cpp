#include "widgets/palette.h"

namespace pretext {

QColor class_color(int label) {
  static const QRgb kColors[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
  if (label < 0) return QColor(0x80, 0x80, 0x80);
  return QColor(kColors[label % 10]);
}

}  // namespace pretext
