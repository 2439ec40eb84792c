#!/bin/sh
# Packs what bench/gpu_check.sh needs on a GPU machine that has CUDA, CMake, a compiler and Python
# with torch, but no apt, OpenCV, SQLite headers, nlohmann-json or CLI11: Debian's headers and
# shared libraries (OpenCV core/imgproc/imgcodecs with their whole dependency closure, SQLite, zlib),
# the header-only libraries, small relocatable CMake package files for them, and Fashion-MNIST's
# test split (real images for the end-to-end run). Output: .device/deps.tar.xz (53 MB from 187 MB; run
# here, on Debian 12, once). The C library, libstdc++ and libgcc_s are left out: the target's are
# used (a newer glibc runs binaries built against an older one).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.device
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
d=$stage/deps
mkdir -p "$d/include" "$d/lib" "$d/cmake" "$d/data"
multi=/usr/lib/x86_64-linux-gnu

cp -r /usr/include/opencv4 /usr/include/nlohmann /usr/include/CLI "$d/include/"
cp /usr/include/sqlite3.h /usr/include/sqlite3ext.h /usr/include/zlib.h /usr/include/zconf.h "$d/include/"
[ -f /usr/include/x86_64-linux-gnu/zconf.h ] && cp /usr/include/x86_64-linux-gnu/zconf.h "$d/include/"

# Every shared library the three OpenCV modules, SQLite and zlib load, by their SONAMEs.
for lib in libopencv_core.so.406 libopencv_imgproc.so.406 libopencv_imgcodecs.so.406 libsqlite3.so.0 libz.so.1; do
  cp -L "$multi/$lib" "$d/lib/$lib"
  ldd "$multi/$lib" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
  case $name in
    libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) ;;
    *) cp -L "$path" "$d/lib/$name" ;;
  esac
done
# Link-time names.
for pair in opencv_core:libopencv_core.so.406 opencv_imgproc:libopencv_imgproc.so.406 \
            opencv_imgcodecs:libopencv_imgcodecs.so.406 sqlite3:libsqlite3.so.0 z:libz.so.1; do
  ln -sf "${pair#*:}" "$d/lib/lib${pair%%:*}.so"
done

cat > "$d/cmake/OpenCVConfig.cmake" <<'CMAKE'
# Debian's OpenCV 4.6 (core, imgproc, imgcodecs), carried by bench/gpu_prepare.sh.
get_filename_component(_ocv_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(OpenCV_VERSION 4.6.0)
set(OpenCV_VERSION_MAJOR 4)
set(OpenCV_INCLUDE_DIRS "${_ocv_root}/include/opencv4")
set(OpenCV_LIBS "${_ocv_root}/lib/libopencv_core.so" "${_ocv_root}/lib/libopencv_imgproc.so"
    "${_ocv_root}/lib/libopencv_imgcodecs.so")
set(OpenCV_FOUND TRUE)
CMAKE
cat > "$d/cmake/nlohmann_jsonConfig.cmake" <<'CMAKE'
get_filename_component(_nj_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT TARGET nlohmann_json::nlohmann_json)
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_nj_root}/include")
endif()
CMAKE
cat > "$d/cmake/CLI11Config.cmake" <<'CMAKE'
get_filename_component(_cli_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT TARGET CLI11::CLI11)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  set_target_properties(CLI11::CLI11 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_cli_root}/include")
endif()
CMAKE
for pkg in OpenCV:4.6.0 nlohmann_json:3.11.2 CLI11:2.1.2; do
  name=${pkg%%:*}
  version=${pkg#*:}
  cat > "$d/cmake/${name}ConfigVersion.cmake" <<CMAKE
set(PACKAGE_VERSION ${version})
if(PACKAGE_FIND_VERSION_MAJOR AND NOT PACKAGE_FIND_VERSION_MAJOR EQUAL ${version%%.*})
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
CMAKE
done

cp /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz \
  "$d/data/" 2>/dev/null || echo "note: dataset-fashion-mnist not installed; the end-to-end run will be skipped" >&2

mkdir -p "$out"
echo "packing $(du -sh "$d" | cut -f1) into $out/deps.tar.xz" >&2
tar -C "$stage" -cf - deps | xz -T0 -6 > "$out/deps.tar.xz.tmp"
mv "$out/deps.tar.xz.tmp" "$out/deps.tar.xz"
du -h "$out/deps.tar.xz"
