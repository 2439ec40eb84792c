# Finds LibTorch and defines the imported target Pretext::Torch.
#
# Why not find_package(Torch) for the wheel: the TorchConfig.cmake of a CUDA build looks for the CUDA
# toolkit while configuring and fails (or picks a mismatching one) on machines without that toolkit.
# The wheel already carries everything needed to link, so an imported target over its include/ and
# lib/ folders is simpler and works the same on a GPU server and on a laptop.
#
# Order: PRETEXT_TORCH_ROOT (a `torch` package folder) > the wheel in PRETEXT_PYTHON > Debian's
# libtorch-dev through find_package(Torch).

function(_pretext_torch_from_root root)
  set(libdir "${root}/lib")
  set(libs "${libdir}/libtorch.so" "${libdir}/libtorch_cpu.so" "${libdir}/libc10.so")
  foreach(l IN LISTS libs)
    if(NOT EXISTS "${l}")
      message(FATAL_ERROR "LibTorch at ${root} lacks ${l}")
    endif()
  endforeach()
  add_library(Pretext::Torch INTERFACE IMPORTED GLOBAL)
  target_include_directories(Pretext::Torch SYSTEM INTERFACE
    "${root}/include" "${root}/include/torch/csrc/api/include")
  set(link ${libs})
  # The CUDA libraries only register their kernels from static initialisers, so they must be linked
  # even though no symbol of ours references them.
  if(EXISTS "${libdir}/libtorch_cuda.so")
    list(APPEND link "-Wl,--no-as-needed" "${libdir}/libtorch_cuda.so")
    if(EXISTS "${libdir}/libc10_cuda.so")
      list(APPEND link "${libdir}/libc10_cuda.so")
    endif()
    list(APPEND link "-Wl,--as-needed")
    set(PRETEXT_TORCH_CUDA ON PARENT_SCOPE)
  else()
    set(PRETEXT_TORCH_CUDA OFF PARENT_SCOPE)
  endif()
  target_link_libraries(Pretext::Torch INTERFACE ${link} Threads::Threads)
  target_link_options(Pretext::Torch INTERFACE "-Wl,-rpath,${libdir}")
  target_compile_definitions(Pretext::Torch INTERFACE
    _GLIBCXX_USE_CXX11_ABI=${PRETEXT_TORCH_ABI})
  # Our code is C++17, but LibTorch 2.10 and later refuse to compile below C++20: the targets that
  # include its headers are raised to C++20 (widgets, which never include them, stay at C++17).
  file(STRINGS "${root}/include/torch/csrc/api/include/torch/all.h" _cxx20 REGEX "C\\+\\+20 or later")
  if(_cxx20)
    target_compile_features(Pretext::Torch INTERFACE cxx_std_20)
  endif()
endfunction()

find_package(Threads REQUIRED)
set(PRETEXT_TORCH_ROOT "" CACHE PATH "Folder of an installed `torch` Python package (its LibTorch)")
set(_root "${PRETEXT_TORCH_ROOT}")
set(PRETEXT_TORCH_ABI 1)

if(NOT _root AND NOT PRETEXT_TORCH STREQUAL "system")
  set(_py "${PRETEXT_PYTHON}")
  if(NOT EXISTS "${_py}")
    find_program(_py NAMES python3)
  endif()
  if(_py)
    execute_process(
      COMMAND "${_py}" -c "import os, torch; print(os.path.dirname(torch.__file__)); print(int(torch._C._GLIBCXX_USE_CXX11_ABI)); print(torch.__version__)"
      OUTPUT_VARIABLE _out RESULT_VARIABLE _rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(_rc EQUAL 0)
      string(REPLACE "\n" ";" _out "${_out}")
      list(GET _out 0 _root)
      list(GET _out 1 PRETEXT_TORCH_ABI)
      list(GET _out 2 PRETEXT_TORCH_VERSION)
    endif()
  endif()
endif()

if(_root)
  _pretext_torch_from_root("${_root}")
  set(PRETEXT_TORCH_SOURCE "wheel ${_root}")
elseif(NOT PRETEXT_TORCH STREQUAL "wheel")
  # Debian's libtorch-dev (1.13, CPU only).
  find_package(Torch REQUIRED)
  add_library(Pretext::Torch INTERFACE IMPORTED GLOBAL)
  target_link_libraries(Pretext::Torch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(Pretext::Torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
  set(PRETEXT_TORCH_CUDA OFF)
  set(PRETEXT_TORCH_SOURCE "system ${Torch_DIR}")
else()
  message(FATAL_ERROR "No LibTorch: create the venv (./pretext.sh deps) or set PRETEXT_TORCH_ROOT")
endif()
message(STATUS "LibTorch: ${PRETEXT_TORCH_SOURCE} ${PRETEXT_TORCH_VERSION} (CUDA libraries: ${PRETEXT_TORCH_CUDA})")
