// The committed op and pass reference matches the ODS it is generated from; after an
// ODS change run `ninja -C build ds-docs` and commit docs/generated/.
// RUN: diff %ds_obj/include/ds/Dialect/Ds/IR/DsOps.md %ds_src/docs/generated/DsOps.md
// RUN: diff %ds_obj/include/ds/Dialect/Ds/IR/DsDialect.md %ds_src/docs/generated/DsDialect.md
// RUN: diff %ds_obj/include/ds/Transforms/Passes.md %ds_src/docs/generated/Passes.md
