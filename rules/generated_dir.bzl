"""generated_dir_sources: files a sprat command wrote outside the source tree
(sprat.build.generated_dir, a folder named by the files' hash) copied into
Bazel's output tree. The folder comes as --define=SPRAT_GEN_DIR: new
contents, a new folder, a new action key, so Bazel's cache stays right."""

# What converter/codegen writes for a model (codegen.TABLE_FILE and the
# family files; tests/test_generated.py checks the two lists agree).
MODEL_GEN_FILES = ["model_gen.c", "model_gen_conv.c", "model_gen_depthwise.c", "model_gen_fc.c"]

def generated_dir_sources(name, outs):
    native.genrule(
        name = name,
        outs = outs,
        cmd = "for f in $(OUTS); do cp \"$(SPRAT_GEN_DIR)/$$(basename $$f)\" $$f; done",
        tags = [
            "manual",
            "no-remote",
            "no-sandbox",
        ],
    )
