# switchboard_set_warnings(target): the project's warning set, per target, so that a host that
# builds Switchboard as a sub-project never inherits our flags.
function(switchboard_set_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${SWITCHBOARD_WERROR}>:/WX>)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
                           $<$<BOOL:${SWITCHBOARD_WERROR}>:-Werror>)
  endif()
  if(SWITCHBOARD_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                           -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
