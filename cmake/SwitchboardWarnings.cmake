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
    # float-cast-overflow is not in GCC's "undefined" group: a double too large for the integer it
    # is converted to would pass unseen (one did, in RequiredAgents at 1e20 Erlangs).
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined,float-cast-overflow
                           -fno-omit-frame-pointer
                           -fno-sanitize-recover=undefined,float-cast-overflow)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined,float-cast-overflow)
  endif()
endfunction()
