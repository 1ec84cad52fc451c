"""Human-readable reports of a conversion."""

from converter import ir


def _tensor(t):
    q = f", scale {t.quant.s():.6g}, zero point {t.quant.zp()}" if t.quant is not None else ""
    return f"{t.name} {ir.TYPE_NAMES.get(t.type, t.type)}{list(t.shape)}{q}"


def conversion(r, src):
    lines = [f"model      {src}",
             f"layers     {len(r.layers)} (after fusion)",
             f"MACs       {sum(l.macs for l in r.layers):,}",
             f"arena      {r.arena_size:,} B on a 32-bit core = activations {r.activation_bytes:,} (planned offline)"
             f" + prepared layers {r.layer_bytes:,} (64-bit hosts: {r.arena_for(8):,} B)",
             f"weights    laid out for the {r.library} kernels",
             f"blob       {len(r.blob):,} B (weights {r.weight_bytes:,} B)"]
    lines += [f"input {k}    {_tensor(t)}" for k, t in enumerate(r.inputs)]
    lines += [f"output {k}   {_tensor(t)}" for k, t in enumerate(r.outputs)]
    lines.append("")
    lines.append(f"{'#':>3}  {'op':<28} {'from':>5}  {'output shape':<18} {'MACs':>12}")
    for l in r.layers:
        lines.append(f"{l.index:>3}  {l.name:<28} {l.source:>5}  {str(list(l.output_shape)):<18} {l.macs:>12,}")
    return "\n".join(lines) + "\n"
