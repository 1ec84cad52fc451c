"""sprat_model: a .tflite as a cc_library for the platform being built.

    load("//rules:sprat_model.bzl", "sprat_model")
    sprat_model(name = "person", src = "person.tflite")

gives :person, a cc_library with the converted blob, the generated layers
(where the platform's kernel library has templates) and person.h:
PERSON_ARENA_BYTES, the inputs' and outputs' sizes and person_init(), which
calls sprat_model_init_generated with them. The weights are laid out for the
kernel library //kernels picks for the platform (the same select()).
"""

load("@rules_cc//cc:defs.bzl", "cc_library")
load(":generated_dir.bzl", "MODEL_GEN_FILES")

def sprat_model(name, src, generate = True, visibility = None, **kwargs):
    """name: the C prefix of the model's symbols and the header's name."""
    outs = [name + "/" + name + ".c", name + "/" + name + ".h"] + [name + "/" + f for f in MODEL_GEN_FILES]
    cmd = ("$(location //tools:python) $(location //rules:gen_model.py) --src $(location {src}) " +
           "--name {name} --generate {gen} --out_dir $(RULEDIR)/{name} --target ").format(
        src = src,
        name = name,
        gen = "auto" if generate else "no",
    )
    native.genrule(
        name = name + "_sources",
        srcs = [src, "//converter:py", "//sprat:py"],
        outs = outs,
        cmd = select({
            "//platforms/isa:has_dsp": cmd + "stm32f746",
            "//conditions:default": cmd + "portable",
        }),
        tools = ["//tools:python", "//rules:gen_model.py"],
        visibility = ["//visibility:private"],
    )
    cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".c")],
        hdrs = [name + "/" + name + ".h"],
        strip_include_prefix = name,
        deps = ["//kernels", "//runtime"],
        visibility = visibility,
        **kwargs
    )
