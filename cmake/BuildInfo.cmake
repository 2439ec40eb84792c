# Run at every build (cmake -P, from engine/CMakeLists.txt): writes the commit the binary is built
# from, with "+dirty" when tracked files differ from it, into OUT. The file is rewritten only when
# its text changes, so an unchanged tree relinks nothing.
#   -DSRC=<source dir> -DOUT=<generated .cpp> -DVERSION=<project version>
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY "${SRC}"
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT commit)
  set(commit "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY "${SRC}"
                  OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(changes)
    string(APPEND commit "+dirty")
  endif()
endif()
set(text "// Generated at build time by cmake/BuildInfo.cmake.\nnamespace pretext {\nconst char* build_commit() { return \"${commit}\"; }\nconst char* build_version() { return \"${VERSION}\"; }\n}  // namespace pretext\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
