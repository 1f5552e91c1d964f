# onnx.proto is not copied into the repo: it comes from the onnx package installed in the
# project virtual environment (scripts/setup.sh) and is compiled with protoc here.
find_package(Protobuf REQUIRED)
execute_process(
  COMMAND ${DS_PYTHON} -c "import onnx, onnx.defs, os; print(os.path.dirname(onnx.__file__)); print(onnx.defs.onnx_opset_version()); print(onnx.__version__)"
  OUTPUT_VARIABLE _ds_onnx_info OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE _ds_onnx_rc)
if(NOT _ds_onnx_rc EQUAL 0)
  message(FATAL_ERROR "The onnx Python package is missing from ${DS_PYTHON}; run scripts/setup.sh")
endif()
string(REPLACE "\n" ";" _ds_onnx_info "${_ds_onnx_info}")
list(GET _ds_onnx_info 0 DS_ONNX_PKG_DIR)
list(GET _ds_onnx_info 1 DS_ONNX_MAX_OPSET)
list(GET _ds_onnx_info 2 DS_ONNX_VERSION)
message(STATUS "onnx ${DS_ONNX_VERSION}: newest ai.onnx opset ${DS_ONNX_MAX_OPSET}")

set(DS_ONNX_PROTO_OUT ${PROJECT_BINARY_DIR}/onnx-proto)
file(MAKE_DIRECTORY ${DS_ONNX_PROTO_OUT}/onnx)
# Copy first so that the generated header is included as "onnx/onnx.pb.h".
configure_file(${DS_ONNX_PKG_DIR}/onnx.proto ${DS_ONNX_PROTO_OUT}/onnx/onnx.proto COPYONLY)
add_custom_command(
  OUTPUT ${DS_ONNX_PROTO_OUT}/onnx/onnx.pb.cc ${DS_ONNX_PROTO_OUT}/onnx/onnx.pb.h
  COMMAND ${Protobuf_PROTOC_EXECUTABLE} --cpp_out=${DS_ONNX_PROTO_OUT}
          -I ${DS_ONNX_PROTO_OUT} ${DS_ONNX_PROTO_OUT}/onnx/onnx.proto
  DEPENDS ${DS_ONNX_PROTO_OUT}/onnx/onnx.proto
  COMMENT "protoc onnx.proto (onnx ${DS_ONNX_VERSION})")
add_library(DSOnnxProto STATIC ${DS_ONNX_PROTO_OUT}/onnx/onnx.pb.cc)
target_include_directories(DSOnnxProto SYSTEM PUBLIC ${DS_ONNX_PROTO_OUT} ${Protobuf_INCLUDE_DIRS})
target_link_libraries(DSOnnxProto PUBLIC ${Protobuf_LIBRARIES})
set_target_properties(DSOnnxProto PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_compile_options(DSOnnxProto PRIVATE -w)
