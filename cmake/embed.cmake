# cm_embed(TARGET_NAME OUTPUT DIR): at build time, turn every file in DIR
# into a C array, with a table
#   const struct cm_embedded TARGET_NAME[] = {{name, data, len}, ...,
#                                             {NULL, NULL, 0}};
# sorted by file name. The table type is declared in core/embedded.h.
function(cm_embed name output dir)
  file(GLOB files CONFIGURE_DEPENDS ${dir}/*)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DOUT=${output} -DDIR=${dir}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding ${dir}")
endfunction()
