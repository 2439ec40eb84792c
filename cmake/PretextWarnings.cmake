# Warnings for our own targets only; LibTorch and Qt headers come in as SYSTEM includes.
function(pretext_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()
